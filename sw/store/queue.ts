/**
 * The `sync_operations` queue: reading it, compacting it before a push, and moving rows through
 * pending → in_flight → (acknowledged and removed | failed | conflict).
 */
import type { ErrorInfo, QueueStats } from '../../src/protocol/index.ts';
import { compactQueue, compacted } from '../core/coalesce.ts';
import { recomputeRecord } from '../db/records.ts';
import type { StoredOperation, SyncDb } from '../db/schema.ts';
import { inWriteTransaction } from './local-writes.ts';
import { setMeta } from './meta.ts';

export async function loadQueue(db: SyncDb): Promise<StoredOperation[]> {
  return db.getAll('sync_operations'); // key order = queue order
}

export async function queueStats(db: SyncDb): Promise<QueueStats> {
  const tx = db.transaction(['sync_operations', 'conflicts', 'meta'], 'readonly');
  const index = tx.objectStore('sync_operations').index('status');
  const [pending, inFlight, failed, conflicts, completed] = await Promise.all([
    index.count('pending'),
    index.count('in_flight'),
    index.count('failed'),
    index.count('conflict'),
    tx.objectStore('meta').get('completedCount'),
  ]);
  return { pending, inFlight, failed, conflicts, completed: Number(completed?.value ?? 0) };
}

/**
 * Merges never-sent rows per record (see core/coalesce.ts), in one transaction.
 * Returns the queue as it is afterwards (queue order) and how many rows disappeared.
 */
export async function compactStoredQueue(db: SyncDb): Promise<{ queue: StoredOperation[]; removed: number }> {
  return inWriteTransaction(db, async (tx, writes) => {
    const store = tx.objectStore('sync_operations');
    const ops = await store.getAll();
    const compaction = compactQueue(ops);
    if (compaction.rewritten.length === 0 && compaction.removed.length === 0) return { queue: ops, removed: 0 };
    const byId = new Map(ops.map((op) => [op.id!, op]));
    writes.addAll(compaction.rewritten, (op) => store.put(op));
    writes.addAll(compaction.removed, (id) => store.delete(id));
    await writes.settle();
    // A create cancelled by a delete leaves no record behind.
    for (const id of compaction.removed) {
      const op = byId.get(id)!;
      await recomputeRecord(tx, op.entityType, op.entityId);
    }
    return { queue: compacted(ops, compaction), removed: compaction.removed.length };
  });
}

/**
 * Current rows with these ids, read with one request over their key range; with `wholeRange`,
 * every row in that range (to know which ids lie between them).
 */
export async function rowsById(
  store: { getAll(range: IDBKeyRange): Promise<StoredOperation[]> },
  ids: readonly number[],
  options: { wholeRange?: boolean } = {},
): Promise<Map<number, StoredOperation>> {
  const out = new Map<number, StoredOperation>();
  if (ids.length === 0) return out;
  const wanted = new Set(ids);
  const range = IDBKeyRange.bound(Math.min(...ids), Math.max(...ids));
  for (const row of await store.getAll(range)) if (options.wholeRange || wanted.has(row.id!)) out.set(row.id!, row);
  return out;
}

/**
 * Marks rows as sent, re-reading them in the same transaction (a row discarded or changed since
 * it was selected is skipped): one read over the batch's key range, then pipelined writes.
 */
export async function markInFlight(db: SyncDb, ids: readonly number[]): Promise<StoredOperation[]> {
  return inWriteTransaction(db, async (tx, writes) => {
    const store = tx.objectStore('sync_operations');
    const current = await rowsById(store, ids);
    const marked = ids
      .map((id) => current.get(id))
      .filter((op): op is StoredOperation => op !== undefined && op.status !== 'in_flight')
      .map((op): StoredOperation => ({ ...op, status: 'in_flight', attempts: op.attempts + 1 }));
    writes.addAll(marked, (op) => store.put(op));
    return marked;
  });
}

/** After a crash or a killed worker: whatever was in flight is sent again (the server dedups by opId). */
export async function resetInFlight(db: SyncDb): Promise<number> {
  return inWriteTransaction(db, async (tx) => {
    const store = tx.objectStore('sync_operations');
    const ops = await store.index('status').getAll('in_flight');
    for (const op of ops) await store.put({ ...op, status: 'pending' });
    return ops.length;
  });
}

/** A batch that got no usable answer goes back to the queue, with the reason. */
export async function releaseInFlight(
  db: SyncDb,
  ids: readonly number[],
  error: ErrorInfo,
  status: 'pending' | 'failed' = 'pending',
): Promise<void> {
  await inWriteTransaction(db, async (tx) => {
    const store = tx.objectStore('sync_operations');
    for (const id of ids) {
      const op = await store.get(id);
      if (op && op.status === 'in_flight') await store.put({ ...op, status, lastError: error, retryable: true });
    }
  });
}

/** `lastChance`: the browser stops retrying; rows stay queued, visibly failed but retryable. */
export async function markRetryableFailed(db: SyncDb, error: ErrorInfo): Promise<number> {
  return inWriteTransaction(db, async (tx) => {
    const store = tx.objectStore('sync_operations');
    const ops = [...(await store.index('status').getAll('pending')), ...(await store.index('status').getAll('in_flight'))];
    for (const op of ops) await store.put({ ...op, status: 'failed', retryable: true, lastError: error });
    return ops.length;
  });
}

export async function retryOperation(db: SyncDb, id: number): Promise<boolean> {
  return inWriteTransaction(db, async (tx) => {
    const store = tx.objectStore('sync_operations');
    const op = await store.get(id);
    if (!op || op.status !== 'failed') return false;
    await store.put({ ...op, status: 'pending', retryable: true });
    return true;
  });
}

/** Drops a queued change and shows the record as the server has it (or removes a never-synced create). */
export async function discardOperation(db: SyncDb, id: number, now: number): Promise<boolean> {
  return inWriteTransaction(db, async (tx) => {
    const store = tx.objectStore('sync_operations');
    const op = await store.get(id);
    if (!op || op.status === 'in_flight') return false;
    await store.delete(id);
    for (const conflict of await tx.objectStore('conflicts').index('operationId').getAll(id)) {
      if (!conflict.resolved) {
        await tx.objectStore('conflicts').put({ ...conflict, resolved: true, resolvedAt: now, resolution: 'discarded' });
      }
    }
    await recomputeRecord(tx, op.entityType, op.entityId);
    return true;
  });
}

export async function discardFailed(db: SyncDb, now: number): Promise<number> {
  const failed = await db.getAllFromIndex('sync_operations', 'status', 'failed');
  let count = 0;
  for (const op of failed) if (await discardOperation(db, op.id!, now)) count++;
  return count;
}

export async function clearCompletedCount(db: SyncDb): Promise<void> {
  await setMeta(db, 'completedCount', 0);
}
