/**
 * The `conflicts` store and applying a resolution. A resolution rewrites the held-back queue row
 * in place (so it keeps its position before later changes of the same record) with a new opId:
 * the old one is already recorded on the server as "conflict".
 */
import { ConflictRecordSchema, type ConflictRecord, type EntityId, type Resolution } from '../../src/protocol/index.ts';
import { makeTempId } from '../core/local-write.ts';
import { resolveConflict, type ResolutionOutcome } from '../core/resolve.ts';
import { putRecord, recomputeRecord, type Tx } from '../db/records.ts';
import type { StoredOperation, SyncDb } from '../db/schema.ts';
import { inWriteTransaction } from './local-writes.ts';

export class ConflictNotFoundError extends Error {
  constructor(id: number) {
    super(`No open conflict with id ${id}`);
    this.name = 'ConflictNotFoundError';
  }
}

/** Conflicts as stored, checked on the way out (newest first). */
export async function listConflicts(db: SyncDb): Promise<ConflictRecord[]> {
  const rows = await db.getAll('conflicts');
  return rows
    .map((row) => ConflictRecordSchema.safeParse(row))
    .filter((r) => r.success)
    .map((r) => r.data)
    .sort((a, b) => b.detectedAt - a.detectedAt);
}

export interface ResolveContext {
  now: number;
  uuid: () => string;
}

export interface ResolveSummary {
  outcome: ResolutionOutcome;
  /** The queue row that will carry the resolution to the server, if any. */
  queuedOperationId: number | null;
  conflict: ConflictRecord;
}

export async function applyResolution(
  db: SyncDb,
  conflictId: number,
  resolution: Resolution,
  ctx: ResolveContext,
): Promise<ResolveSummary> {
  return inWriteTransaction(db, async (tx) => {
    const conflicts = tx.objectStore('conflicts');
    const stored = await conflicts.get(conflictId);
    if (!stored || stored.resolved) throw new ConflictNotFoundError(conflictId);
    const conflict = ConflictRecordSchema.parse(stored);
    const outcome = resolveConflict(conflict, resolution);
    const ops = tx.objectStore('sync_operations');
    const row = await ops.get(conflict.operationId);
    const server = conflict.conflictType === 'version' ? conflict.serverData : null;
    let queuedOperationId: number | null = null;
    let recordId: EntityId = conflict.entityId;

    if (outcome.kind === 'discard' || !row) {
      if (row) await ops.delete(row.id!);
      // The server deleted the record and the user agreed: later edits of it have nothing to apply to.
      if (conflict.conflictType === 'deleted') {
        for (const later of await ops.index('record').getAll([conflict.entityType, conflict.entityId])) await ops.delete(later.id!);
      }
    } else if (outcome.kind === 'delete') {
      await ops.put(carrying(row, ctx, { operation: 'delete', data: null, baseVersion: outcome.baseVersion }));
      queuedOperationId = row.id!;
    } else if (outcome.kind === 'update') {
      await ops.put(carrying(row, ctx, { operation: 'update', data: outcome.data, baseVersion: outcome.baseVersion }));
      queuedOperationId = row.id!;
    } else {
      // The server deleted the record: keep the user's version as a new record.
      recordId = makeTempId(conflict.entityType, ctx.uuid());
      await moveLaterRows(tx, conflict, recordId);
      await putRecord(tx, conflict.entityType, {
        ...outcome.data,
        id: recordId,
        version: 0,
        createdAt: new Date(ctx.now).toISOString(),
        updatedAt: new Date(ctx.now).toISOString(),
        deletedAt: null,
        _pending: true,
        _conflict: false,
        _server: null,
      });
      await ops.put(
        carrying(row, ctx, { operation: 'create', entityId: recordId, tempId: recordId, data: outcome.data, baseVersion: null }),
      );
      queuedOperationId = row.id!;
    }

    // Later changes of this record were made on top of what the user saw; they now sit on the server's version.
    if (conflict.conflictType === 'version') {
      for (const later of await ops.index('record').getAll([conflict.entityType, conflict.entityId])) {
        if (later.id !== row?.id && later.operation !== 'create') await ops.put({ ...later, baseVersion: conflict.serverVersion });
      }
    }
    const resolved: ConflictRecord = {
      ...conflict,
      resolved: true,
      resolvedAt: ctx.now,
      resolution: `${resolution.strategy}:${outcome.kind}`,
    };
    await conflicts.put(resolved);
    // The deleted record's local copy goes; the server's version (or the rewritten row) shows.
    await recomputeRecord(tx, conflict.entityType, conflict.entityId, server);
    if (recordId !== conflict.entityId) await recomputeRecord(tx, conflict.entityType, recordId);
    return { outcome, queuedOperationId, conflict: resolved };
  }, 'strict');
}

/** The held row, rewritten to carry the resolution: a fresh opId, never sent, in the same queue position. */
function carrying(
  row: StoredOperation,
  ctx: ResolveContext,
  change: Pick<StoredOperation, 'operation' | 'data' | 'baseVersion'> & Partial<Pick<StoredOperation, 'entityId' | 'tempId'>>,
): StoredOperation {
  return { ...row, ...change, opId: ctx.uuid(), timestamp: ctx.now, status: 'pending', attempts: 0, lastError: null, retryable: true };
}

async function moveLaterRows(tx: Tx, conflict: ConflictRecord, newId: EntityId): Promise<void> {
  const ops = tx.objectStore('sync_operations');
  for (const later of await ops.index('record').getAll([conflict.entityType, conflict.entityId])) {
    if (later.id === conflict.operationId) continue;
    if (later.operation === 'delete') await ops.delete(later.id!);
    else await ops.put({ ...later, entityId: newId, tempId: String(newId), baseVersion: null });
  }
}
