import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { coalesce } from '../../../sw/core/coalesce.ts';
import { BatchPlanner, pushBatchSize, type BatchOutcome } from '../../../sw/core/batch-plan.ts';
import { keyRuns } from '../../../sw/store/queue.ts';
import type { NewOperation, StoredOperation } from '../../../sw/db/schema.ts';

let nextId = 1;
function op(partial: Partial<StoredOperation> & Pick<StoredOperation, 'operation' | 'entityId'>): StoredOperation {
  const id = nextId++;
  return {
    id,
    opId: `op-${id}`,
    entityType: 'appointments',
    tempId: null,
    data: {},
    baseVersion: null,
    timestamp: 1000 + id,
    userId: 1,
    practiceId: 1,
    tenantId: 'smartvet',
    status: 'pending',
    attempts: 0,
    lastError: null,
    retryable: true,
    ...partial,
  };
}

function change(partial: Partial<NewOperation> & Pick<NewOperation, 'operation' | 'entityId'>): NewOperation {
  const { id: _id, ...rest } = op(partial);
  return rest;
}

const none = new Set<number>();

describe('coalesce (a change folds into the record\'s last never-sent row)', () => {
  it('a create and its updates become one create that keeps its position and opId', () => {
    const create = op({ operation: 'create', entityId: 'temp_appt_a', tempId: 'temp_appt_a', data: { title: 'A', notes: null } });
    const update = change({ operation: 'update', entityId: 'temp_appt_a', data: { title: 'B' } });
    expect(coalesce([create], update, none)).toEqual({
      kind: 'merge',
      row: { ...create, data: { title: 'B', notes: null }, timestamp: update.timestamp },
    });
  });

  it('a create followed by a delete cancels out: nothing is sent', () => {
    const create = op({ operation: 'create', entityId: 'temp_appt_b', tempId: 'temp_appt_b', data: { title: 'A' } });
    expect(coalesce([create], change({ operation: 'delete', entityId: 'temp_appt_b', data: null }), none)).toEqual({ kind: 'cancel', removed: create.id });
  });

  it('updates merge keeping the first base version; update + delete becomes a delete', () => {
    const u1 = op({ operation: 'update', entityId: 7, baseVersion: 3, data: { title: 'x' } });
    const u2 = change({ operation: 'update', entityId: 7, baseVersion: 4, data: { notes: 'y' } });
    expect(coalesce([u1], u2, none)).toEqual({ kind: 'merge', row: { ...u1, data: { title: 'x', notes: 'y' }, timestamp: u2.timestamp } });
    const del = change({ operation: 'delete', entityId: 7, baseVersion: 3, data: null });
    expect(coalesce([u1], del, none)).toEqual({ kind: 'merge', row: { ...u1, operation: 'delete', data: null, timestamp: del.timestamp } });
  });

  it('never changes a row that was sent, or is in flight now (its opId may be applied on the server)', () => {
    const sent = op({ operation: 'create', entityId: 'temp_appt_c', tempId: 'temp_appt_c', data: { title: 'A' }, attempts: 1 });
    const update = change({ operation: 'update', entityId: 'temp_appt_c', data: { title: 'B' } });
    expect(coalesce([sent], update, none)).toEqual({ kind: 'add' });
    const flying = op({ operation: 'create', entityId: 'temp_appt_d', tempId: 'temp_appt_d', data: { title: 'A' } });
    expect(coalesce([flying], { ...update, entityId: 'temp_appt_d' }, new Set([flying.id]))).toEqual({ kind: 'add' });
  });

  it('never folds one person\'s change into another\'s row: each is sent under its author', () => {
    const theirs = op({ operation: 'update', entityId: 7, data: { notes: 'by user 2' }, userId: 2 });
    expect(coalesce([theirs], change({ operation: 'update', entityId: 7, data: { title: 'by user 1' }, userId: 1 }), none)).toEqual({ kind: 'add' });
    const theirCreate = op({ operation: 'create', entityId: 'temp_appt_t', userId: 2 });
    expect(coalesce([theirCreate], change({ operation: 'delete', entityId: 'temp_appt_t', userId: 1 }), none)).toEqual({ kind: 'add' });
  });

  it('leaves everything behind a conflict or a rejection as separate rows', () => {
    const conflict = op({ operation: 'update', entityId: 9, status: 'conflict', data: { title: 'x' } });
    const behind = op({ operation: 'update', entityId: 9, data: { title: 'y' } });
    expect(coalesce([conflict, behind], change({ operation: 'update', entityId: 9, data: { notes: 'z' } }), none)).toEqual({ kind: 'add' });
    const rejected = op({ operation: 'update', entityId: 10, status: 'failed', retryable: false });
    expect(coalesce([rejected], change({ operation: 'update', entityId: 10, data: { notes: 'z' } }), none)).toEqual({ kind: 'add' });
  });
});

describe('BatchPlanner', () => {
  /** Runs the planner like the queue does: deferred rows first, then fresh rows after the cursor. */
  function pick(planner: BatchPlanner, queue: readonly StoredOperation[], size: number): StoredOperation[] {
    const batch = planner.begin(size);
    const byId = new Map(queue.map((row) => [row.id, row]));
    for (const id of planner.deferredIds()) batch.offerDeferred(id, byId.get(id));
    for (const row of queue.filter((r) => r.id > planner.cursor)) if (!batch.offerFresh(row)) break;
    return batch.rows();
  }
  const ids = (rows: readonly StoredOperation[]) => rows.map((r) => r.id);
  const all = (rows: readonly StoredOperation[], outcome: BatchOutcome) => new Map(rows.map((r) => [r.id, outcome]));

  it('keeps queue order, one row per record in flight; a later row of a record goes once the earlier one is acknowledged', () => {
    const a1 = op({ operation: 'create', entityId: 'temp_appt_x' });
    const b1 = op({ operation: 'update', entityId: 2 });
    const a2 = op({ operation: 'update', entityId: 'temp_appt_x' });
    const c1 = op({ operation: 'update', entityId: 3 });
    const queue = [a1, b1, a2, c1];
    const planner = new BatchPlanner(() => true);
    const first = pick(planner, queue, 2);
    expect(ids(first)).toEqual([a1.id, b1.id]);
    // While the first batch is in flight, a2 waits behind a1; c1 can go.
    const second = pick(planner, queue, 2);
    expect(ids(second)).toEqual([c1.id]);
    planner.settle(first, all(first, 'acknowledged'));
    expect(ids(pick(planner, queue, 2))).toEqual([a2.id]);
    expect(pick(planner, queue, 2)).toEqual([]);
  });

  it('holds the rows of a record behind a conflict or a rejection, and behind a row that failed in this run', () => {
    const blocked = op({ operation: 'update', entityId: 1, status: 'conflict' });
    const behindConflict = op({ operation: 'update', entityId: 1 });
    const rejected = op({ operation: 'update', entityId: 2, status: 'failed', retryable: false });
    const retryable = op({ operation: 'update', entityId: 3, status: 'failed', retryable: true });
    const behindRetryable = op({ operation: 'update', entityId: 3 });
    const free = op({ operation: 'update', entityId: 4 });
    const queue = [blocked, behindConflict, rejected, retryable, behindRetryable, free];
    const planner = new BatchPlanner(() => true);
    const first = pick(planner, queue, 10);
    expect(ids(first)).toEqual([retryable.id, free.id]);
    planner.settle(first, new Map([[retryable.id, 'pending'], [free.id, 'acknowledged']]));
    // The retryable row failed again: the row behind it waits for the next run.
    expect(pick(planner, queue, 10)).toEqual([]);
  });

  it('offers each row once per run, and leaves other practices\' work alone', () => {
    const mine = op({ operation: 'update', entityId: 5 });
    const theirs = op({ operation: 'update', entityId: 6, practiceId: 2 });
    const planner = new BatchPlanner((row) => row.practiceId === 1);
    const first = pick(planner, [mine, theirs], 10);
    expect(ids(first)).toEqual([mine.id]);
    planner.settle(first, all(first, 'pending'));
    expect(pick(planner, [mine, theirs], 10)).toEqual([]);
  });

  it('sends only the signed-in person\'s rows; another person\'s row holds the later rows of its record', () => {
    const theirs = op({ operation: 'update', entityId: 8, userId: 2 });
    const mineSameRecord = op({ operation: 'update', entityId: 8, userId: 1 });
    const mineElsewhere = op({ operation: 'update', entityId: 9, userId: 1 });
    const queue = [theirs, mineSameRecord, mineElsewhere];
    const planner = new BatchPlanner((row) => row.userId === 1);
    expect(ids(pick(planner, queue, 10))).toEqual([mineElsewhere.id]);
    // The other person's session sends theirs; mine of that record then waits for mine.
    const theirPlanner = new BatchPlanner((row) => row.userId === 2);
    expect(ids(pick(theirPlanner, queue, 10))).toEqual([theirs.id]);
  });

  it('forgets a deferred row that left the queue meanwhile', () => {
    const a1 = op({ operation: 'update', entityId: 8 });
    const a2 = op({ operation: 'update', entityId: 8 });
    const planner = new BatchPlanner(() => true);
    const first = pick(planner, [a1, a2], 1);
    expect(pick(planner, [a1, a2], 1)).toEqual([]);
    expect(planner.deferredIds()).toEqual([a2.id]);
    planner.settle(first, all(first, 'acknowledged'));
    expect(pick(planner, [a1], 1)).toEqual([]);
    expect(planner.deferredIds()).toEqual([]);
  });
});

describe('pushBatchSize', () => {
  it('grows with the queue, between the configured size and the server limit', () => {
    const policy = { batchSize: 100, maxBatchSize: 1000 };
    expect(pushBatchSize(3, policy)).toBe(100);
    expect(pushBatchSize(1000, policy)).toBe(250);
    expect(pushBatchSize(100_000, policy)).toBe(1000);
  });
});

describe('keyRuns', () => {
  it('covers exactly the chosen ids with as few ranges as the gaps allow', () => {
    const runs = keyRuns([5, 1, 2, 3, 7, 8, 9, 4], new Set([1, 2, 3, 5, 7, 8, 9]));
    // 6 does not exist, so 5..9 is one range; 4 is not chosen and splits the run.
    expect(runs.map((r) => [r.lower, r.upper])).toEqual([[1, 3], [5, 9]]);
    expect(keyRuns([1, 2], new Set())).toEqual([]);
  });
});
