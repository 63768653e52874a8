/**
 * Queue compaction when a change is queued (pure): a new change of a record folds into the
 * record's last queued row when that row was never sent.
 *   create + updates → one create;  updates of one record → one update;
 *   create + delete  → nothing sent; update + delete → one delete.
 * The merged row keeps its position (id), opId and base version.
 *
 * Only rows that were never sent, made by the same person, may merge. A row that was sent (attempts > 0, or in flight
 * now)
 * might already be applied on the server under its opId; changing its content would make a retry
 * return the old stored result and silently drop what was merged into it. Rows behind a conflict
 * or a rejected row stay as they are until the user decides.
 */
import type { NewOperation, StoredOperation } from '../db/schema.ts';

/** Identifies the record a row is about (rows of one record keep their order). */
export function recordKey(op: Pick<NewOperation, 'entityType' | 'entityId'>): string {
  return `${op.entityType}\u0000${typeof op.entityId}\u0000${String(op.entityId)}`;
}

/** Records that have more than one row among `rows`. */
export function recordsWithSeveralRows(rows: readonly Pick<NewOperation, 'entityType' | 'entityId'>[]): string[] {
  const seen = new Set<string>();
  const several = new Set<string>();
  for (const row of rows) {
    const key = recordKey(row);
    if (seen.has(key)) several.add(key);
    seen.add(key);
  }
  return [...several];
}

/** A row that holds every later row of its record until the user decides (conflict, rejection). */
export function isHeld(op: Pick<StoredOperation, 'status' | 'retryable'>): boolean {
  return op.status === 'conflict' || (op.status === 'failed' && !op.retryable);
}

/** A row is sent as the person who made it: another person's change never folds into it. */
function canMerge(op: StoredOperation, next: NewOperation, inFlight: ReadonlySet<number>): boolean {
  return op.status === 'pending' && op.attempts === 0 && !inFlight.has(op.id) && op.userId === next.userId;
}

/** Merges `next` into `into`; returns the merged row, null when both cancel out, or 'incompatible'. */
function merge(into: StoredOperation, next: NewOperation): StoredOperation | null | 'incompatible' {
  if (into.operation === 'create') {
    if (next.operation === 'update')
      return { ...into, data: { ...into.data, ...next.data }, timestamp: next.timestamp };
    if (next.operation === 'delete') return null;
  }
  if (into.operation === 'update') {
    if (next.operation === 'update')
      return { ...into, data: { ...into.data, ...next.data }, timestamp: next.timestamp };
    if (next.operation === 'delete') return { ...into, operation: 'delete', data: null, timestamp: next.timestamp };
  }
  return 'incompatible';
}

export type Coalesced =
  /** Queue `next` as a new row. */
  | { kind: 'add' }
  /** Rewrite the record's last row (same id, opId and position) instead. */
  | { kind: 'merge'; row: StoredOperation }
  /** A never-sent create and its delete: remove that row, queue nothing; the record disappears. */
  | { kind: 'cancel'; removed: number };

/** What queuing `next` does, given the rows already queued for its record (queue order). */
export function coalesce(
  rows: readonly StoredOperation[],
  next: NewOperation,
  inFlight: ReadonlySet<number>,
): Coalesced {
  const last = rows.at(-1);
  if (!last || rows.some(isHeld) || !canMerge(last, next, inFlight)) return { kind: 'add' };
  const merged = merge(last, next);
  if (merged === 'incompatible') return { kind: 'add' };
  if (merged === null) return { kind: 'cancel', removed: last.id };
  return { kind: 'merge', row: merged };
}
