/**
 * PushResult builders. Built field by field, not with spreads: they run for every pushed
 * operation, and V8 (Node 20) is slow at spreading into object literals.
 */
import type { ConflictData, PushOperation, PushResult, SyncErrorCode } from '../../src/protocol/index.ts';
import type { WireRecord } from '../store/wire.ts';

function result(op: PushOperation, successful: boolean): PushResult {
  const out: PushResult = { opId: op.opId, success: successful, entityType: op.entityType };
  if (op.id !== undefined) out.operationId = op.id;
  return out;
}

export function failure(op: PushOperation, code: SyncErrorCode, message: string): PushResult {
  const out = result(op, false);
  out.error = { code, message };
  return out;
}

/**
 * Applied: the record's real id, the echoed temp id, its version and the record after the
 * operation, last (apply.ts cuts the op log's text before it).
 */
export function success(op: PushOperation, record: WireRecord, tempId: string | undefined): PushResult {
  const out = result(op, true);
  out.realId = record.id;
  if (tempId !== undefined) out.tempId = tempId;
  out.version = record.version;
  out.record = record;
  return out;
}

/**
 * Not applied: the server's record as it is, and both sides in conflictData. `current` is null
 * for a create held back (a double booking): there is no server record, no real id, no version.
 */
export function conflict(
  op: PushOperation,
  current: WireRecord | null,
  data: ConflictData,
  tempId: string | undefined,
): PushResult {
  const out = result(op, false);
  out.conflict = true;
  if (current) out.realId = current.id;
  if (tempId !== undefined) out.tempId = tempId;
  if (current) {
    out.version = current.version;
    out.record = current;
  }
  out.conflictData = data;
  return out;
}
