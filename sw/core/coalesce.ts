/**
 * Queue compaction before a push (pure):
 *   create + updates → one create;  updates of one record → one update;
 *   create + delete  → nothing sent; update + delete → one delete.
 * Order is kept per record: the merged row keeps the position (id) and opId of the first.
 *
 * Only rows that were never sent may merge. A row that was sent (attempts > 0) might already be
 * applied on the server under its opId; changing its content would make a retry return the old
 * stored result and silently drop what was merged into it.
 */
import type { StoredOperation } from '../db/schema.ts';

export interface Compaction {
  /** Rows whose content changed (same id), to write back. */
  rewritten: StoredOperation[];
  /** Row ids that disappear (merged into another row, or cancelled by create + delete). */
  removed: number[];
}

/** Identifies the record a row is about (rows of one record keep their order). */
export function recordKey(op: Pick<StoredOperation, 'entityType' | 'entityId'>): string {
  return `${op.entityType}\u0000${String(op.entityId)}`;
}

function canMerge(op: StoredOperation): boolean {
  return op.status === 'pending' && op.attempts === 0;
}

/** Merges `next` into `into`; returns the merged row, or null when both cancel out. */
function merge(into: StoredOperation, next: StoredOperation): StoredOperation | null | 'incompatible' {
  if (into.operation === 'create') {
    if (next.operation === 'update') return { ...into, data: { ...into.data, ...next.data }, timestamp: next.timestamp };
    if (next.operation === 'delete') return null;
  }
  if (into.operation === 'update') {
    if (next.operation === 'update') return { ...into, data: { ...into.data, ...next.data }, timestamp: next.timestamp };
    if (next.operation === 'delete') return { ...into, operation: 'delete', data: null, timestamp: next.timestamp };
  }
  return 'incompatible';
}

/** `ops` must be the queue in id order. */
export function compactQueue(ops: readonly StoredOperation[]): Compaction {
  const groups = new Map<string, StoredOperation[]>();
  for (const op of ops) {
    const key = recordKey(op);
    const group = groups.get(key);
    if (group) group.push(op);
    else groups.set(key, [op]);
  }

  const rewritten = new Map<number, StoredOperation>();
  const removed: number[] = [];
  for (const group of groups.values()) {
    let acc: StoredOperation | null = null;
    for (const op of group) {
      // A conflict or a rejected row holds everything behind it until the user decides.
      if (op.status === 'conflict' || (op.status === 'failed' && !op.retryable)) break;
      if (!canMerge(op)) {
        acc = null;
        continue;
      }
      if (!acc) {
        acc = op;
        continue;
      }
      const merged = merge(acc, op);
      if (merged === 'incompatible') {
        acc = op;
        continue;
      }
      removed.push(op.id!);
      if (merged === null) {
        removed.push(acc.id!);
        rewritten.delete(acc.id!);
        acc = null;
      } else {
        acc = merged;
        rewritten.set(acc.id!, acc);
      }
    }
  }
  return { rewritten: [...rewritten.values()], removed };
}

/**
 * The rows to push next, in queue order, at most `batchSize`: pending rows (and failed rows that
 * may succeed on retry), skipping records held back by a conflict or a rejected operation.
 * Rows in `skip` (already tried in this run) are not sent again, but still hold back the rows
 * behind them.
 *
 * At most one row per record goes in a batch: the next row of a record is sent once the server
 * acknowledged the previous one and its base version moved on. Two rows of one record with the
 * same base version in one request would look to the server like a conflict with ourselves.
 */
export function selectBatch(ops: readonly StoredOperation[], batchSize: number, skip: ReadonlySet<number> = new Set()): StoredOperation[] {
  const held = new Set<string>();
  const batch: StoredOperation[] = [];
  for (const op of ops) {
    const key = recordKey(op);
    if (held.has(key)) continue;
    held.add(key); // whatever this row is, later rows of the record wait for it
    if (skip.has(op.id!)) continue;
    if (op.status === 'conflict' || (op.status === 'failed' && !op.retryable) || op.status === 'in_flight') continue;
    batch.push(op);
    if (batch.length >= batchSize) break;
  }
  return batch;
}

/** Applies a compaction to the rows it was computed from (what the queue holds afterwards). */
export function compacted(ops: readonly StoredOperation[], compaction: Compaction): StoredOperation[] {
  const removed = new Set(compaction.removed);
  const rewritten = new Map(compaction.rewritten.map((op) => [op.id!, op]));
  return ops.filter((op) => !removed.has(op.id!)).map((op) => rewritten.get(op.id!) ?? op);
}
