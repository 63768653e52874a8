/**
 * Applies the server's answer to one pushed batch, in ONE transaction. For an acknowledged row:
 * the row leaves the queue (by key range, with its neighbours) and its record is written once,
 * as the server stored it, with any later local rows on top. Keys never change: a record created
 * here keeps its temp id as key and gains its server id as a field. Conflicts and rejections are
 * recorded.
 */
import {
  AppointmentSchema,
  EntityIdSchema,
  isRetryableOperationError,
  type Clash,
  type ConflictRecord,
  type EntityType,
  type PushResult,
} from '../../src/protocol/index.ts';
import type { BatchOutcome } from '../core/batch-plan.ts';
import type { Row } from '../core/rebase.ts';
import { serverStateBehind } from '../core/resolve.ts';
import {
  putRecord,
  ReplicaView,
  serverVersionOf,
  storedForm,
  withoutBookkeeping,
  writeVisible,
  type AnyReplicaRecord,
} from '../db/records.ts';
import { localKeyOf, type StoredConflict, type StoredOperation, type SyncDb } from '../db/schema.ts';
import { inWriteTransaction, type RequestPipeline, type Tx } from '../db/tx.ts';
import {
  finishBatch,
  holdAsConflict,
  keepWaiting,
  markFailed,
  readBatchContext,
  rebaseLater,
  releaseRow,
  type TakenBatch,
} from './queue.ts';
import { recomputeRecord } from './replica.ts';

export interface PushApplySummary {
  pushed: number;
  failed: number;
  conflicts: number;
  /** Rows that got no result (left pending). */
  unanswered: number;
  newConflicts: ConflictRecord[];
  changedTypes: Set<EntityType>;
  /** What became of each sent row (by queue id). `pending`: back in the queue to retry later. */
  outcomes: Map<number, BatchOutcome>;
}

/**
 * `notCreatedYet`: rows the server refused only because a new record they name was not created
 * (its create failed or was held: BatchPlanner.refusedForUnsentCreates). They stay pending, not
 * failed, and go once that create did.
 */
export async function applyPushResults(
  db: SyncDb,
  batch: TakenBatch,
  results: readonly PushResult[],
  now: number,
  notCreatedYet: ReadonlySet<number> = new Set(),
): Promise<PushApplySummary> {
  const byOpId = new Map(results.map((r) => [r.opId, r]));
  const summary: PushApplySummary = {
    pushed: 0,
    failed: 0,
    conflicts: 0,
    unanswered: 0,
    newConflicts: [],
    changedTypes: new Set(),
    outcomes: new Map(),
  };

  await inWriteTransaction(db, async (tx, writes) => {
    // One round of reads for the whole batch: which ids lie in its range, and each record's rows.
    const context = await readBatchContext(tx, batch);
    const acknowledged = new Set<number>();
    for (const op of batch.rows) {
      const result = byOpId.get(op.opId);
      if (!result) {
        summary.unanswered++;
        summary.outcomes.set(op.id, 'pending');
        releaseRow(tx, writes, op, { code: 'SERVER_ERROR', message: 'The server sent no result for this operation' });
        continue;
      }
      summary.changedTypes.add(op.entityType);
      if (result.success) {
        summary.pushed++;
        summary.outcomes.set(op.id, 'acknowledged');
        acknowledged.add(op.id);
        // Rows of the record queued after this one were made on top of it.
        const later = context.otherRows.get(op.id) ?? [];
        if (result.version !== undefined) rebaseLater(tx, writes, later, result.version);
        const server = result.record ?? (await localStateAsServer(tx, op, result));
        if (server) writeVisible(tx, op.entityType, op.entityId, undefined, server, later);
      } else if (result.conflict && result.conflictData) {
        summary.conflicts++;
        summary.outcomes.set(op.id, 'conflict');
        holdAsConflict(tx, writes, op);
        summary.newConflicts.push(await recordConflict(tx, writes, op, result, result.conflictData, now));
      } else if (notCreatedYet.has(op.id)) {
        summary.outcomes.set(op.id, 'pending');
        keepWaiting(tx, writes, op);
      } else {
        summary.failed++;
        const error = result.error ?? {
          code: 'INTERNAL' as const,
          message: 'The server rejected the operation without a reason',
        };
        const retryable = isRetryableOperationError(error.code);
        summary.outcomes.set(op.id, retryable ? 'pending' : 'failed');
        markFailed(tx, writes, op, error, retryable);
      }
    }
    await finishBatch(tx, writes, batch, context, acknowledged);
  });
  return summary;
}

/** Without a `record` in the result, the local view with the new version stands in for the server's. */
async function localStateAsServer(tx: Tx, op: StoredOperation, result: PushResult): Promise<Row | null> {
  const local = (await tx.objectStore(op.entityType).get(op.entityId)) as AnyReplicaRecord | undefined;
  if (!local) return null;
  const { _pending: _p, _conflict: _c, ...fields } = withoutBookkeeping(local);
  return {
    ...fields,
    ...(result.realId !== undefined ? { id: result.realId } : {}),
    ...(result.version !== undefined ? { version: result.version } : {}),
  };
}

async function recordConflict(
  tx: Tx,
  writes: RequestPipeline,
  op: StoredOperation,
  result: PushResult,
  data: NonNullable<PushResult['conflictData']>,
  now: number,
): Promise<ConflictRecord> {
  const local = (await tx.objectStore(op.entityType).get(op.entityId)) as AnyReplicaRecord | undefined;
  // The record's public id: its server id, or its local (temp) key for a create the server held back.
  const entityId = EntityIdSchema.parse(result.realId ?? local?.id ?? op.entityId);
  const conflicts = tx.objectStore('conflicts');
  // A retried push of the same row must not list the same conflict twice.
  for (const existing of await conflicts.index('operationId').getAll(op.id)) {
    const { id } = existing;
    if (!existing.resolved && id !== undefined) writes.add(() => conflicts.delete(id));
  }
  const stored: StoredConflict = {
    operationId: op.id,
    entityType: op.entityType,
    entityId,
    localOperation: op.operation,
    conflictType: data.conflictType,
    localData: data.localData,
    serverData: data.serverData,
    affectedFields: data.affectedFields,
    baseVersion: data.baseVersion,
    serverVersion: data.serverVersion,
    ...(data.serverChangedFields ? { serverChangedFields: data.serverChangedFields } : {}),
    ...(data.serverEditedAt !== undefined ? { serverEditedAt: data.serverEditedAt } : {}),
    ...(data.serverEditedBy ? { serverEditedBy: data.serverEditedBy } : {}),
    ...(data.clashes ? { clashes: data.clashes } : {}),
    localTimestamp: op.timestamp,
    detectedAt: now,
    resolved: false,
    resolvedAt: null,
    resolution: null,
  };
  const id = await conflicts.add(stored);
  if (data.clashes) await storeClashingBookings(tx, data.clashes);
  // The server's newest state becomes the base the held change sits on.
  await recomputeRecord(tx, op.entityType, op.entityId, serverStateBehind(stored));
  return { ...stored, id };
}

/**
 * The appointments a held booking overlaps, put into the replica when it lacks them (booked
 * elsewhere since the last pull), so the dialog can show them and the form's free times leave
 * them out. A newer version replaces an older one without local changes; a record that fails the
 * schema is left to the pull, which sets it aside.
 */
async function storeClashingBookings(tx: Tx, clashes: readonly Clash[]): Promise<void> {
  const view = new ReplicaView(tx);
  await Promise.all(
    clashes.map(async ({ appointment }) => {
      const parsed = AppointmentSchema.safeParse(appointment);
      if (!parsed.success || typeof parsed.data.id !== 'number') return;
      const current = await view.find('appointments', parsed.data.id);
      if (current && (current._pending || serverVersionOf(current) >= parsed.data.version)) return;
      putRecord(tx, 'appointments', storedForm(current ? localKeyOf(current) : parsed.data.id, parsed.data));
    }),
  );
}
