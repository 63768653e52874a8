import { describe, expect, it } from 'vitest';
import { BatchPlanner, pushBatchSize, type BatchOutcome } from '../../../../sw/core/batch-plan.ts';
import type { StoredOperation } from '../../../../sw/db/schema.ts';
import { op } from './fixtures.ts';

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
    planner.settle(
      first,
      new Map([
        [retryable.id, 'pending'],
        [free.id, 'acknowledged'],
      ]),
    );
    // The retryable row failed again: the row behind it waits for the next run.
    expect(pick(planner, queue, 10)).toEqual([]);
  });

  it("offers each row once per run, and leaves other practices' work alone", () => {
    const mine = op({ operation: 'update', entityId: 5 });
    const theirs = op({ operation: 'update', entityId: 6, practiceId: 2 });
    const planner = new BatchPlanner((row) => row.practiceId === 1);
    const first = pick(planner, [mine, theirs], 10);
    expect(ids(first)).toEqual([mine.id]);
    planner.settle(first, all(first, 'pending'));
    expect(pick(planner, [mine, theirs], 10)).toEqual([]);
  });

  it("sends only the signed-in person's rows; another person's row holds the later rows of its record", () => {
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
