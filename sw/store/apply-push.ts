/**
 * Applies the server's answer to one pushed batch, in ONE transaction: acknowledged rows leave
 * the queue, temp ids become real ids everywhere, conflicts and rejections are recorded.
 */
import {
  ENTITY_TYPES,
  REFERENCE_FIELDS,
  isTempId,
  type ConflictRecord,
  type EntityId,
  type EntityType,
  type PushResult,
  type SyncErrorCode,
} from '../../src/protocol/index.ts';
import { recordKey } from '../core/coalesce.ts';
import { remapReferences, remapWithLookup, type IdMapping } from '../core/remap.ts';
import type { Row } from '../core/rebase.ts';
import { RequestPipeline, getRecord, putRecord, recomputeRecord, resolveId, type Tx } from '../db/records.ts';
import type { StoredOperation, SyncDb } from '../db/schema.ts';
import { inWriteTransaction } from './local-writes.ts';
import { rowsById } from './queue.ts';

export interface PushApplySummary {
  pushed: number;
  failed: number;
  conflicts: number;
  /** Rows that got no result (left pending). */
  unanswered: number;
  mappings: IdMapping[];
  newConflicts: ConflictRecord[];
  changedTypes: Set<EntityType>;
  /** What became of each sent row (by queue id). `pending`: back in the queue to retry later. */
  outcomes: Map<number, 'acknowledged' | 'conflict' | 'failed' | 'pending'>;
}

/** Codes that may succeed later without anyone changing the operation. */
const RETRYABLE_CODES: ReadonlySet<SyncErrorCode> = new Set(['INTERNAL', 'SERVER_ERROR', 'NETWORK']);

/** Entity types other records point at (only their temp ids need a scan for references). */
const REFERENCED_TYPES = new Set<EntityType>(
  ENTITY_TYPES.flatMap((t) => REFERENCE_FIELDS[t].map((r) => r.target)),
);

/**
 * What the caller already knows about the rest of the queue, to spare one read per row:
 * the records that have other rows queued (as of a snapshot of every row up to `snapshotMaxId`).
 * Rows added after the snapshot are read here. Without it, each record is looked up.
 */
export interface QueueSnapshotHint {
  recordsWithOtherRows: ReadonlySet<string>;
  snapshotMaxId: number;
}

export async function applyPushResults(
  db: SyncDb,
  sent: readonly StoredOperation[],
  results: readonly PushResult[],
  now: number,
  hint?: QueueSnapshotHint,
): Promise<PushApplySummary> {
  const byOpId = new Map(results.map((r) => [r.opId, r]));
  const summary: PushApplySummary = {
    pushed: 0,
    failed: 0,
    conflicts: 0,
    unanswered: 0,
    mappings: [],
    newConflicts: [],
    changedTypes: new Set(),
    outcomes: new Map(),
  };

  await inWriteTransaction(db, async (tx, writes) => {
    const ops = tx.objectStore('sync_operations');
    // Read phase: the sent rows as they are now (one request), and whether their records have
    // other rows queued (from the hint plus rows added since, or one pipelined lookup each).
    const rowsInRange = await rowsById(ops, sent.map((op) => op.id!), { wholeRange: true });
    const currentRows = new Map(sent.filter((op) => rowsInRange.has(op.id!)).map((op) => [op.id!, rowsInRange.get(op.id!)!]));
    // Rows acknowledged on the fast path are deleted together at the end, by key ranges.
    const acknowledged = new Set<number>();
    let hasOthers: (op: StoredOperation) => boolean;
    if (hint) {
      const newer = await ops.getAll(IDBKeyRange.lowerBound(hint.snapshotMaxId, true));
      const newerKeys = new Set(newer.map(recordKey));
      hasOthers = (op) => hint.recordsWithOtherRows.has(recordKey(op)) || newerKeys.has(recordKey(op));
    } else {
      const counts = await Promise.all(sent.map((op) => ops.index('record').count([op.entityType, op.entityId])));
      const withOthers = new Set(sent.filter((_, i) => counts[i]! > 1).map((op) => op.id!));
      hasOthers = (op) => withOthers.has(op.id!);
    }
    const reads = sent.map((op) => ({ op, current: currentRows.get(op.id!), others: hasOthers(op) }));
    // Writes are issued without waiting for each (IndexedDB keeps their order), settled before commit.
    for (const { op, current, others } of reads) {
      if (!current) continue; // discarded meanwhile
      const result = byOpId.get(op.opId);
      if (!result) {
        summary.unanswered++;
        summary.outcomes.set(op.id!, 'pending');
        writes.add(() => ops.put({ ...current, status: 'pending', lastError: { code: 'SERVER_ERROR', message: 'The server sent no result for this operation' } }));
        continue;
      }
      summary.changedTypes.add(op.entityType);
      if (result.success) {
        summary.pushed++;
        summary.outcomes.set(op.id!, 'acknowledged');
        if (canAcknowledgeQuickly(current, result, others)) {
          acknowledgeQuickly(tx, current, result, summary, writes);
          acknowledged.add(op.id!);
        }
        else await acknowledge(tx, current, result, summary);
      } else if (result.conflict && result.conflictData) {
        summary.conflicts++;
        summary.outcomes.set(op.id!, 'conflict');
        await ops.put({ ...current, status: 'conflict', lastError: null });
        const conflict = await recordConflict(tx, current, result, now);
        summary.newConflicts.push(conflict);
      } else {
        summary.failed++;
        const error = result.error ?? { code: 'INTERNAL' as const, message: 'The server rejected the operation without a reason' };
        const retryable = RETRYABLE_CODES.has(error.code);
        summary.outcomes.set(op.id!, retryable ? 'pending' : 'failed');
        await ops.put({ ...current, status: 'failed', lastError: error, retryable });
        await recomputeRecord(tx, current.entityType, current.entityId);
      }
    }
    if (summary.mappings.some((m) => REFERENCED_TYPES.has(m.entityType))) await remapQueuedData(tx, summary.mappings);
    for (const range of keyRuns([...rowsInRange.keys()], acknowledged)) writes.add(() => ops.delete(range));
    const completed = await tx.objectStore('meta').get('completedCount');
    writes.add(() => tx.objectStore('meta').put({ key: 'completedCount', value: Number(completed?.value ?? 0) + summary.pushed }));
  });
  return summary;
}

/**
 * The common case: nothing else is queued for the record, the server sent the record back, and
 * no other record can point at it by temp id. Then the server's record is simply what shows.
 */
function canAcknowledgeQuickly(op: StoredOperation, result: PushResult, others: boolean): boolean {
  if (others || !result.record) return false;
  return !(op.operation === 'create' && REFERENCED_TYPES.has(op.entityType));
}

/**
 * Key ranges covering exactly the `chosen` ids among `existing` ids (sorted or not): a run of
 * consecutive existing ids that are all chosen becomes one range, so one request deletes it.
 */
export function keyRuns(existing: readonly number[], chosen: ReadonlySet<number>): IDBKeyRange[] {
  const runs: IDBKeyRange[] = [];
  let start: number | null = null;
  let end: number | null = null;
  for (const id of [...existing].sort((a, b) => a - b)) {
    if (chosen.has(id)) {
      start ??= id;
      end = id;
    } else if (start !== null) {
      runs.push(IDBKeyRange.bound(start, end!));
      start = end = null;
    }
  }
  if (start !== null) runs.push(IDBKeyRange.bound(start, end!));
  return runs;
}

/** The common case (see canAcknowledgeQuickly); the queue row itself is deleted by the caller. */
function acknowledgeQuickly(tx: Tx, op: StoredOperation, result: PushResult, summary: PushApplySummary, writes: RequestPipeline): void {
  const store = tx.objectStore(op.entityType);
  const server = result.record!;
  let id: EntityId = op.entityId;
  if (op.operation === 'create' && result.realId !== undefined && isTempId(op.entityId)) {
    summary.mappings.push({ entityType: op.entityType, tempId: op.entityId, realId: result.realId });
    const alias = { tempId: op.entityId, entityType: op.entityType, realId: result.realId };
    writes.add(() => tx.objectStore('id_aliases').put(alias));
    const tempId = op.entityId;
    writes.add(() => store.delete(tempId));
    id = result.realId;
  } else if (result.realId !== undefined) {
    id = result.realId;
  }
  if (server.deletedAt) writes.add(() => store.delete(id));
  else writes.add(() => store.put({ ...server, id, _pending: false, _conflict: false, _server: server } as never));
}

async function acknowledge(tx: Tx, op: StoredOperation, result: PushResult, summary: PushApplySummary): Promise<void> {
  await tx.objectStore('sync_operations').delete(op.id!);
  let id: EntityId = await resolveId(tx, op.entityId);
  if (op.operation === 'create' && result.realId !== undefined && isTempId(op.entityId)) {
    const mapping: IdMapping = { entityType: op.entityType, tempId: op.entityId, realId: result.realId };
    await moveRecord(tx, mapping);
    summary.mappings.push(mapping);
    id = result.realId;
  } else if (result.realId !== undefined) {
    id = result.realId;
  }
  const server = result.record ?? (await fallbackServerRecord(tx, op.entityType, id, result));
  // Later rows of this record were made on top of this change: their base is now the new version.
  if (result.version !== undefined) await rebaseVersions(tx, op.entityType, id, result.version);
  await recomputeRecord(tx, op.entityType, id, server);
}

/** Without a `record` in the result, the local view with the new version stands in for the server's. */
async function fallbackServerRecord(tx: Tx, entityType: EntityType, id: EntityId, result: PushResult): Promise<Row | null> {
  const local = await getRecord(tx, entityType, id);
  if (!local) return null;
  const { _pending: _p, _conflict: _c, _server: _s, ...fields } = local;
  return { ...fields, id, ...(result.version !== undefined ? { version: result.version } : {}) };
}

async function rebaseVersions(tx: Tx, entityType: EntityType, id: EntityId, version: number): Promise<void> {
  const store = tx.objectStore('sync_operations');
  for (const later of await store.index('record').getAll([entityType, id])) {
    if (later.operation !== 'create' && later.status !== 'in_flight') await store.put({ ...later, baseVersion: version });
  }
}

/** The record's key, the rows queued for it, and replica references to it move to the real id. */
async function moveRecord(tx: Tx, mapping: IdMapping): Promise<void> {
  const { entityType, tempId, realId } = mapping;
  await tx.objectStore('id_aliases').put({ tempId, entityType, realId });
  const record = await getRecord(tx, entityType, tempId);
  if (record) {
    await tx.objectStore(entityType).delete(tempId);
    await putRecord(tx, entityType, { ...record, id: realId });
  }
  const store = tx.objectStore('sync_operations');
  for (const op of await store.index('record').getAll([entityType, tempId])) {
    await store.put({ ...op, entityId: realId });
  }
  for (const source of ENTITY_TYPES) {
    for (const { field, target } of REFERENCE_FIELDS[source]) {
      if (target !== entityType) continue;
      const index = tx.objectStore(source).index(field as never) as unknown as {
        getAll(key: EntityId): Promise<Row[]>;
      };
      for (const referencing of await index.getAll(tempId)) {
        await putRecord(tx, source, remapReferences(source, referencing, mapping) as never);
      }
    }
  }
}

/** One pass over the queue rewrites temp-id references inside queued data (e.g. an appointment's petId). */
async function remapQueuedData(tx: Tx, mappings: readonly IdMapping[]): Promise<void> {
  const byTempId = new Map(mappings.map((m) => [m.tempId, m]));
  let cursor = await tx.objectStore('sync_operations').openCursor();
  while (cursor) {
    const op = remapWithLookup(cursor.value, byTempId);
    if (op !== cursor.value) await cursor.update(op);
    cursor = await cursor.continue();
  }
}

async function recordConflict(tx: Tx, op: StoredOperation, result: PushResult, now: number): Promise<ConflictRecord> {
  const data = result.conflictData!;
  const entityId = result.realId ?? (await resolveId(tx, op.entityId));
  if (typeof entityId !== 'number') throw new Error(`Conflict on a record without a real id (${String(entityId)})`);
  const conflicts = tx.objectStore('conflicts');
  // A retried push of the same row must not list the same conflict twice.
  for (const existing of await conflicts.index('operationId').getAll(op.id!)) {
    if (!existing.resolved) await conflicts.delete(existing.id!);
  }
  const stored = {
    operationId: op.id!,
    entityType: op.entityType,
    entityId,
    localOperation: op.operation === 'delete' ? ('delete' as const) : ('update' as const),
    conflictType: data.conflictType,
    localData: data.localData,
    serverData: data.serverData,
    affectedFields: data.affectedFields,
    baseVersion: data.baseVersion,
    serverVersion: data.serverVersion,
    localTimestamp: op.timestamp,
    detectedAt: now,
    resolved: false,
    resolvedAt: null,
    resolution: null,
  };
  const id = await conflicts.add(stored);
  // The server's newest state becomes the base the pending change sits on.
  await recomputeRecord(tx, op.entityType, entityId, data.conflictType === 'version' ? data.serverData : undefined);
  return { ...stored, id };
}
