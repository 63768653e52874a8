/**
 * The queue: `sync_operations` (one row per change still to reach the server) and
 * `sync_batches` (the batches in flight). This module is the only one that reads or writes them.
 * Verbs that are part of a bigger change (a local write, an answer from the server, a resolution)
 * take the caller's transaction, so the queue and the replica always change together.
 *
 * Row life: pending → in flight (its id is in a `sync_batches` record; the row itself is not
 * rewritten) → acknowledged (deleted) | conflict | failed | pending again (no answer). A row in
 * flight is never changed or removed by anyone else: the server may hold its opId already.
 */
import type { ErrorInfo, EntityId, EntityType, QueuedOperation, QueueStats } from '../../src/protocol/index.ts';
import { plannedHolds, sentBy, type BatchPlanner, type Hold, type Sender } from '../core/batch-plan.ts';
import { coalesce, recordKey, type Coalesced } from '../core/coalesce.ts';
import {
  SEVERAL_ROWS_KEY,
  type InFlightBatch,
  type StoredStatus,
  type NewOperation,
  type StoredOperation,
  type SyncDb,
} from '../db/schema.ts';
import { inWriteTransaction, type ReadTx, type RequestPipeline, type Tx } from '../db/tx.ts';

// ------------------------------------------------------------------ reading

/** The rows queued for one record (by its local key), in queue order. */
export async function rowsOf(tx: ReadTx, entityType: EntityType, key: EntityId): Promise<StoredOperation[]> {
  const rows = await tx.objectStore('sync_operations').index('record').getAll([entityType, key]);
  return rows.sort((a, b) => a.id - b.id);
}

/** Ids of the rows in flight. */
export async function inFlightIds(tx: Pick<ReadTx, 'objectStore'>): Promise<Set<number>> {
  const batches = await tx.objectStore('sync_batches').getAll();
  return new Set(batches.flatMap((batch) => batch.opIds));
}

/**
 * Records with more than one row queued: a row was added while an earlier row of the record was
 * already sent, in flight or held. An acknowledgement looks for later rows only in these records,
 * so the common case (one row per record) costs it no read. Every verb that adds a row next to
 * another or moves rows keeps it; an entry that outlived its rows only costs a read.
 */

async function readSeveralRows(tx: Pick<ReadTx, 'objectStore'>): Promise<Set<string>> {
  const entry = await tx.objectStore('meta').get(SEVERAL_ROWS_KEY);
  return new Set(Array.isArray(entry?.value) ? entry.value.filter((k): k is string => typeof k === 'string') : []);
}

function writeSeveralRows(tx: Tx, writes: RequestPipeline, keys: ReadonlySet<string>): void {
  writes.add(() => tx.objectStore('meta').put({ key: SEVERAL_ROWS_KEY, value: [...keys] }));
}

async function markSeveralRows(tx: Tx, writes: RequestPipeline, key: string): Promise<void> {
  const keys = await readSeveralRows(tx);
  if (keys.has(key)) return;
  keys.add(key);
  writeSeveralRows(tx, writes, keys);
}

export async function queueStats(db: SyncDb): Promise<QueueStats> {
  const tx = db.transaction(['sync_operations', 'sync_batches', 'meta'], 'readonly');
  const index = tx.objectStore('sync_operations').index('status');
  const [pendingStored, failed, conflicts, batches, completed] = await Promise.all([
    index.count('pending'),
    index.count('failed'),
    index.count('conflict'),
    tx.objectStore('sync_batches').getAll(),
    tx.objectStore('meta').get('completedCount'),
  ]);
  // Rows in flight are stored as pending.
  const inFlight = batches.reduce((n, batch) => n + batch.opIds.length, 0);
  return {
    pending: Math.max(0, pendingStored - inFlight),
    inFlight,
    failed,
    conflicts,
    completed: Number(completed?.value ?? 0),
  };
}

/**
 * The queue as the page sees it (the Sync tab's list): rows in flight show as such, and a pending
 * row of `sender` that a sync would not send yet says which change it waits for.
 */
export async function operationsForPage(db: SyncDb, sender: Sender | null): Promise<QueuedOperation[]> {
  const tx = db.transaction(['sync_operations', 'sync_batches'], 'readonly');
  const [rows, flying] = await Promise.all([tx.objectStore('sync_operations').getAll(), inFlightIds(tx)]);
  const waits = waitsForChanges(rows, sender);
  return rows.map((row): QueuedOperation => {
    if (flying.has(row.id)) return { ...row, status: 'in_flight', attempts: row.attempts + 1 };
    const waitsFor = waits.get(row.id);
    return waitsFor ? { ...row, waitsFor } : row;
  });
}

type WaitsFor = NonNullable<QueuedOperation['waitsFor']>;

/** Pending rows of `sender` that a sync would leave for another change first, and which (core/batch-plan.ts). */
function waitsForChanges(rows: readonly StoredOperation[], sender: Sender | null): Map<number, WaitsFor> {
  const waits = new Map<number, WaitsFor>();
  if (!sender) return waits;
  const status = new Map(rows.map((row) => [row.id, row.status]));
  for (const [id, hold] of plannedHolds(rows, sentBy(sender)))
    if ((hold.kind === 'record' || hold.kind === 'reference') && status.get(id) === 'pending')
      waits.set(id, { operationId: hold.by, reason: hold.kind });
  return waits;
}

/**
 * How many pending rows of `sender` wait for another change first. Only a row that cannot go (held,
 * failed, or another person's) makes others wait, so `mayWait` false skips the pass over the queue.
 */
export async function countWaitingForChanges(db: SyncDb, sender: Sender | null, mayWait: boolean): Promise<number> {
  if (!sender || !mayWait) return 0;
  return waitsForChanges(await db.getAll('sync_operations'), sender).size;
}

// ------------------------------------------------------------------ local writes

/**
 * Queues a change, folding it into the record's last row when that row was never sent
 * (core/coalesce.ts). A create of a new record has nothing to fold into and reads nothing.
 */
export async function enqueue(tx: Tx, writes: RequestPipeline, op: NewOperation): Promise<Coalesced> {
  const store = tx.objectStore('sync_operations');
  if (op.operation === 'create') {
    writes.add(() => store.add(op as StoredOperation)); // the key generator fills `id`
    return { kind: 'add' };
  }
  const [rows, flying] = await Promise.all([rowsOf(tx, op.entityType, op.entityId), inFlightIds(tx)]);
  const outcome = coalesce(rows, op, flying);
  if (outcome.kind === 'add') {
    writes.add(() => store.add(op as StoredOperation));
    if (rows.length > 0) await markSeveralRows(tx, writes, recordKey(op));
  }
  if (outcome.kind === 'merge') writes.add(() => store.put(outcome.row));
  if (outcome.kind === 'cancel') writes.add(() => store.delete(outcome.removed));
  return outcome;
}

// ------------------------------------------------------------------ the drain

export interface TakenBatch {
  id: number;
  /** The rows sent, in queue order, as they were when taken (they do not change while in flight). */
  rows: StoredOperation[];
}

/**
 * Chooses the next batch (core/batch-plan.ts) and marks it in flight with ONE write, in one
 * transaction: a local write either lands before (and is sent as it is) or after (and sees the
 * row in flight, so it queues a new row instead of changing this one).
 */
export async function takeBatch(
  db: SyncDb,
  planner: BatchPlanner,
  size: number,
  now: number,
): Promise<TakenBatch | null> {
  return inWriteTransaction(db, async (tx, writes) => {
    const store = tx.objectStore('sync_operations');
    const pick = planner.begin(size);
    const deferredIds = planner.deferredIds();
    const deferred = await Promise.all(deferredIds.map((id) => store.get(id)));
    deferredIds.forEach((id, i) => pick.offerDeferred(id, deferred[i]));
    while (!pick.full) {
      const window = await store.getAll(IDBKeyRange.lowerBound(planner.cursor, true), Math.max(size, 200));
      if (window.length === 0) break;
      for (const op of window) if (!pick.offerFresh(op)) break;
    }
    const picked = pick.rows();
    // A failed-but-retryable row sent again counts as pending while it is in flight.
    const rows = picked.map((op): StoredOperation => (op.status === 'pending' ? op : { ...op, status: 'pending' }));
    const [first] = rows;
    if (!first) return null;
    writes.addAll(
      rows.filter((op, i) => op !== picked[i]),
      (op) => store.put(op),
    );
    const batch: InFlightBatch = { id: first.id, opIds: rows.map((op) => op.id), sentAt: now };
    writes.add(() => tx.objectStore('sync_batches').put(batch));
    return { id: batch.id, rows };
  });
}

/** Puts the rows of batches that got no usable answer back in the queue, with the reason. */
export async function releaseBatches(
  db: SyncDb,
  batches: readonly TakenBatch[],
  error: ErrorInfo,
  status: 'pending' | 'failed' = 'pending',
): Promise<void> {
  if (batches.length === 0) return;
  await inWriteTransaction(db, async (tx, writes) => {
    const store = tx.objectStore('sync_operations');
    for (const batch of batches) {
      writes.addAll(batch.rows, (op) =>
        store.put({ ...op, status, lastError: error, retryable: true, attempts: op.attempts + 1 }),
      );
      writes.add(() => tx.objectStore('sync_batches').delete(batch.id));
    }
  });
}

/** After a crash or a killed worker: whatever was in flight is sent again (the server dedups by opId). */
export async function resetInFlight(db: SyncDb): Promise<number> {
  return inWriteTransaction(db, async (tx, writes) => {
    const store = tx.objectStore('sync_operations');
    const ids = [...(await inFlightIds(tx))];
    const rows = await Promise.all(ids.map((id) => store.get(id)));
    // Sent once: such a row must never be merged with later changes again.
    writes.addAll(rows, (op) => (op ? store.put({ ...op, attempts: op.attempts + 1 }) : Promise.resolve()));
    writes.add(() => tx.objectStore('sync_batches').clear());
    return ids.length;
  });
}

// ------------------------------------------------------------------ applying an answer (caller's transaction)

export interface BatchContext {
  /** Ids of every row stored within the batch's id range (to delete acknowledged rows by ranges). */
  idsInRange: number[];
  /** For sent rows whose record has other rows queued (by sent row id): those rows, in queue order. */
  otherRows: Map<number, StoredOperation[]>;
  severalRows: Set<string>;
}

/** The reads an answer needs: two requests, plus one per record that has several rows. */
export async function readBatchContext(tx: Tx, batch: TakenBatch): Promise<BatchContext> {
  const store = tx.objectStore('sync_operations');
  // Rows are taken in queue order, so the first and last ids bound the batch (a batch is never empty).
  const firstId = batch.rows[0]?.id ?? 0;
  const range = IDBKeyRange.bound(firstId, batch.rows.at(-1)?.id ?? firstId);
  const [idsInRange, severalRows] = await Promise.all([store.getAllKeys(range), readSeveralRows(tx)]);
  const withOthers = batch.rows.filter((op) => severalRows.has(recordKey(op)));
  const rows = await Promise.all(withOthers.map((op) => rowsOf(tx, op.entityType, op.entityId)));
  const otherRows = new Map(withOthers.map((op, i) => [op.id, (rows[i] ?? []).filter((row) => row.id !== op.id)]));
  return { idsInRange, otherRows, severalRows };
}

/**
 * The batch is answered: acknowledged rows leave the queue (deleted by key ranges, one request
 * per run of consecutive ids), the in-flight mark goes, and the completed count grows.
 */
export async function finishBatch(
  tx: Tx,
  writes: RequestPipeline,
  batch: TakenBatch,
  context: BatchContext,
  acknowledged: ReadonlySet<number>,
): Promise<void> {
  const store = tx.objectStore('sync_operations');
  for (const range of keyRuns(context.idsInRange, acknowledged)) writes.add(() => store.delete(range));
  writes.add(() => tx.objectStore('sync_batches').delete(batch.id));
  // A record left with one row (or none) no longer needs a look-up at its acknowledgement.
  const remaining = new Set(context.severalRows);
  for (const op of batch.rows)
    if (acknowledged.has(op.id) && (context.otherRows.get(op.id)?.length ?? 0) <= 1) remaining.delete(recordKey(op));
  if (remaining.size !== context.severalRows.size) writeSeveralRows(tx, writes, remaining);
  const completed = await tx.objectStore('meta').get('completedCount');
  writes.add(() =>
    tx.objectStore('meta').put({ key: 'completedCount', value: Number(completed?.value ?? 0) + acknowledged.size }),
  );
}

/** The server found a conflict: the row waits (with every later row of its record) for a decision. */
export function holdAsConflict(tx: Tx, writes: RequestPipeline, op: StoredOperation): void {
  writes.add(() =>
    tx.objectStore('sync_operations').put({ ...op, status: 'conflict', lastError: null, attempts: op.attempts + 1 }),
  );
}

/** The server refused the row (or failed on it): it stays queued, visibly failed. */
export function markFailed(
  tx: Tx,
  writes: RequestPipeline,
  op: StoredOperation,
  error: ErrorInfo,
  retryable: boolean,
): void {
  writes.add(() =>
    tx
      .objectStore('sync_operations')
      .put({ ...op, status: 'failed', lastError: error, retryable, attempts: op.attempts + 1 }),
  );
}

/**
 * The server refused the row only because a new record it names was not created (nothing of it
 * was stored): it stays pending, with no error to show, and goes once that record's create did.
 */
export function keepWaiting(tx: Tx, writes: RequestPipeline, op: StoredOperation): void {
  writes.add(() =>
    tx.objectStore('sync_operations').put({ ...op, status: 'pending', lastError: null, attempts: op.attempts + 1 }),
  );
}

/** The row got no result: back to pending, to be sent again. */
export function releaseRow(tx: Tx, writes: RequestPipeline, op: StoredOperation, error: ErrorInfo): void {
  writes.add(() =>
    tx.objectStore('sync_operations').put({ ...op, status: 'pending', lastError: error, attempts: op.attempts + 1 }),
  );
}

/**
 * Later rows of a record were made on top of what the device saw: once the server moved the
 * record to `version` (acknowledgement or resolution), they are based on that version.
 */
export function rebaseLater(tx: Tx, writes: RequestPipeline, later: readonly StoredOperation[], version: number): void {
  const store = tx.objectStore('sync_operations');
  for (const op of later)
    if (op.operation !== 'create' && op.baseVersion !== version)
      writes.add(() => store.put({ ...op, baseVersion: version }));
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
      runs.push(IDBKeyRange.bound(start, end ?? start));
      start = end = null;
    }
  }
  if (start !== null) runs.push(IDBKeyRange.bound(start, end ?? start));
  return runs;
}

// ------------------------------------------------------------------ decisions of the user

/** A row as stored, unless it is in flight (then nobody may change it). */
export async function rowForChange(tx: ReadTx, id: number): Promise<StoredOperation | undefined> {
  const [op, flying] = await Promise.all([tx.objectStore('sync_operations').get(id), inFlightIds(tx)]);
  return op && !flying.has(id) ? op : undefined;
}

/** Writes a row back changed in place (a resolution keeps its position before later rows). */
export function rewriteRow(tx: Tx, writes: RequestPipeline, op: StoredOperation): void {
  writes.add(() => tx.objectStore('sync_operations').put(op));
}

/** Rows that now belong to another record (a resolution that re-creates a deleted record). */
export async function moveRows(tx: Tx, writes: RequestPipeline, rows: readonly StoredOperation[]): Promise<void> {
  for (const op of rows) rewriteRow(tx, writes, op);
  const [first] = rows;
  if (first && rows.length > 1) await markSeveralRows(tx, writes, recordKey(first));
}

export function deleteRow(tx: Tx, writes: RequestPipeline, id: number): void {
  writes.add(() => tx.objectStore('sync_operations').delete(id));
}

export async function failedRows(db: SyncDb): Promise<StoredOperation[]> {
  return db.getAllFromIndex('sync_operations', 'status', 'failed');
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

/**
 * `lastChance`: the browser stops retrying; rows stay queued, visibly failed but retryable.
 * `sender`: only rows a sync of that person tried (another person's wait for their session, and
 * rows waiting for another change first were not sent: they stay pending, saying what they wait for).
 */
export async function markRetryableFailed(db: SyncDb, error: ErrorInfo, sender?: Sender): Promise<number> {
  return inWriteTransaction(db, async (tx) => {
    const store = tx.objectStore('sync_operations');
    const [flying, held] = await Promise.all([
      inFlightIds(tx),
      sender ? store.getAll().then((rows) => plannedHolds(rows, sentBy(sender))) : new Map<number, Hold>(),
    ]);
    let cursor = await store.index('status').openCursor('pending');
    let count = 0;
    while (cursor) {
      if (!flying.has(cursor.value.id) && !held.has(cursor.value.id)) {
        await cursor.update({ ...cursor.value, status: 'failed', retryable: true, lastError: error });
        count++;
      }
      cursor = await cursor.continue();
    }
    return count;
  });
}

export async function clearCompletedCount(db: SyncDb): Promise<void> {
  await db.put('meta', { key: 'completedCount', value: 0 });
}

/** Rows still to reach the server, counted by the user who made them (rows leave once acknowledged). */
export async function unsyncedByUser(db: SyncDb): Promise<Map<number | null, number>> {
  const counts = new Map<number | null, number>();
  let cursor = await db.transaction('sync_operations', 'readonly').store.openCursor();
  while (cursor) {
    counts.set(cursor.value.userId, (counts.get(cursor.value.userId) ?? 0) + 1);
    cursor = await cursor.continue();
  }
  return counts;
}

/** Rows made by someone other than a user, by stored status. */
export type OthersRows = Record<StoredStatus, number>;

/** Rows made by someone other than `userId`, per status (every row when nobody is signed in). */
export async function rowsOfOthers(db: SyncDb, userId: number | null): Promise<OthersRows> {
  const counts: OthersRows = { pending: 0, failed: 0, conflict: 0 };
  const index = db.transaction('sync_operations', 'readonly').store.index('status');
  await Promise.all(
    (Object.keys(counts) as StoredStatus[]).map(async (status) => {
      let cursor = await index.openCursor(status);
      while (cursor) {
        if (cursor.value.userId !== userId) counts[status]++;
        cursor = await cursor.continue();
      }
    }),
  );
  return counts;
}
