/**
 * Transactions over the whole database, and the request pipeline that lets one transaction issue
 * many requests without waiting for each.
 */
import type { IDBPTransaction } from 'idb';
import type { SyncDb, SyncDbSchema } from './schema.ts';

export const ALL_STORES = [
  'users',
  'pets',
  'appointments',
  'sync_operations',
  'sync_batches',
  'conflicts',
  'id_aliases',
  'meta',
] as const;

export type Tx = IDBPTransaction<SyncDbSchema, typeof ALL_STORES, 'readwrite'>;
export type ReadTx = IDBPTransaction<SyncDbSchema, typeof ALL_STORES, 'readonly' | 'readwrite'>;

/**
 * IndexedDB requests issued without awaiting each one: the transaction runs them in order, and
 * the caller pays one round trip for the lot instead of one per request. If issuing one throws
 * (or the work fails later), the others are marked handled so their abort errors stay quiet.
 */
export class RequestPipeline {
  private pending: Promise<unknown>[] = [];

  add(start: () => Promise<unknown>): void {
    try {
      this.pending.push(start());
    } catch (err) {
      this.abandon();
      throw err;
    }
  }

  /** Issues one request per item. */
  addAll<T>(items: readonly T[], start: (item: T) => Promise<unknown>): void {
    for (const item of items) this.add(() => start(item));
  }

  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }

  abandon(): void {
    for (const p of this.pending) p.catch(() => undefined);
    this.pending = [];
  }
}

export class QuotaExceededError extends Error {
  constructor() {
    super('This device is out of storage space: the change was NOT saved. Free some space and try again.');
    this.name = 'QuotaExceededError';
  }
}

function isQuotaError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'name' in err &&
    ((err as { name: string }).name === 'QuotaExceededError' ||
      (err as { name: string }).name === 'NS_ERROR_DOM_QUOTA_REACHED')
  );
}

/** Write transactions committed on each connection (see `writeGeneration`). */
const generations = new WeakMap<SyncDb, number>();

/**
 * How many write transactions (`inWriteTransaction`) this connection has committed: a figure read
 * from the stores is still true while this has not moved. Every write of the queue goes through
 * `inWriteTransaction`; a write by another connection (another worker version) is not counted.
 */
export function writeGeneration(db: SyncDb): number {
  return generations.get(db) ?? 0;
}

/**
 * Runs `work` in a read-write transaction over every store. Requests `work` adds to `writes` are
 * pipelined and settled before the commit. Quota failures become QuotaExceededError.
 *
 * Durability: what the user typed is committed `strict` (flushed to disk before the page hears
 * "saved"); sync bookkeeping is `relaxed`, as losing it to a power cut only means sending again.
 */
export async function inWriteTransaction<T>(
  db: SyncDb,
  work: (tx: Tx, writes: RequestPipeline) => Promise<T>,
  durability: IDBTransactionDurability = 'relaxed',
): Promise<T> {
  const tx = db.transaction(ALL_STORES, 'readwrite', { durability });
  const writes = new RequestPipeline();
  try {
    const result = await work(tx, writes);
    await writes.settle();
    await tx.done;
    generations.set(db, writeGeneration(db) + 1);
    return result;
  } catch (err) {
    writes.abandon();
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    await tx.done.catch(() => undefined);
    if (isQuotaError(err) || (err instanceof DOMException && isQuotaError(tx.error))) throw new QuotaExceededError();
    throw err;
  }
}

/** A read-only transaction over every store (one consistent snapshot). */
export function readTransaction(db: SyncDb): ReadTx {
  return db.transaction(ALL_STORES, 'readonly');
}
