import { describe, expect, it } from 'vitest';
import { compactQueue, selectBatch } from '../../../sw/core/coalesce.ts';
import type { StoredOperation } from '../../../sw/db/schema.ts';

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

describe('compactQueue', () => {
  it('folds a create and its updates into one create that keeps the first position and opId', () => {
    const create = op({ operation: 'create', entityId: 'temp_appt_a', tempId: 'temp_appt_a', data: { title: 'A', notes: null } });
    const update1 = op({ operation: 'update', entityId: 'temp_appt_a', data: { title: 'B' } });
    const update2 = op({ operation: 'update', entityId: 'temp_appt_a', data: { notes: 'x' } });
    const { rewritten, removed } = compactQueue([create, update1, update2]);
    expect(removed).toEqual([update1.id, update2.id]);
    expect(rewritten).toEqual([{ ...create, data: { title: 'B', notes: 'x' }, timestamp: update2.timestamp }]);
  });

  it('sends nothing for a create followed by a delete', () => {
    const create = op({ operation: 'create', entityId: 'temp_appt_b', tempId: 'temp_appt_b', data: { title: 'A' } });
    const update = op({ operation: 'update', entityId: 'temp_appt_b', data: { title: 'B' } });
    const del = op({ operation: 'delete', entityId: 'temp_appt_b', data: null });
    const { rewritten, removed } = compactQueue([create, update, del]);
    expect(rewritten).toEqual([]);
    expect(removed.sort()).toEqual([create.id, update.id, del.id].sort());
  });

  it('merges updates of one record, keeping the first base version; update + delete becomes a delete', () => {
    const u1 = op({ operation: 'update', entityId: 7, baseVersion: 3, data: { title: 'x' } });
    const u2 = op({ operation: 'update', entityId: 7, baseVersion: 3, data: { notes: 'y' } });
    const other = op({ operation: 'update', entityId: 8, baseVersion: 1, data: { title: 'z' } });
    const del = op({ operation: 'delete', entityId: 7, baseVersion: 3, data: null });
    const { rewritten, removed } = compactQueue([u1, other, u2, del]);
    expect(removed).toEqual([u2.id, del.id]);
    expect(rewritten).toEqual([{ ...u1, operation: 'delete', data: null, timestamp: del.timestamp }]);
  });

  it('never changes a row that was already sent (its opId may be applied on the server)', () => {
    const sentCreate = op({ operation: 'create', entityId: 'temp_appt_c', tempId: 'temp_appt_c', data: { title: 'A' }, attempts: 1 });
    const u1 = op({ operation: 'update', entityId: 'temp_appt_c', data: { title: 'B' } });
    const u2 = op({ operation: 'update', entityId: 'temp_appt_c', data: { title: 'C' } });
    const del = op({ operation: 'delete', entityId: 'temp_appt_c', data: null });
    const { rewritten, removed } = compactQueue([sentCreate, u1, u2, del]);
    // The sent create stays; the unsent updates and the delete fold into one delete after it.
    expect(removed).toEqual([u2.id, del.id]);
    expect(rewritten).toEqual([{ ...u1, operation: 'delete', data: null, timestamp: del.timestamp }]);
  });

  it('leaves everything behind a conflict untouched', () => {
    const conflict = op({ operation: 'update', entityId: 9, status: 'conflict', data: { title: 'x' } });
    const u1 = op({ operation: 'update', entityId: 9, data: { title: 'y' } });
    const u2 = op({ operation: 'update', entityId: 9, data: { notes: 'z' } });
    expect(compactQueue([conflict, u1, u2])).toEqual({ rewritten: [], removed: [] });
  });
});

describe('selectBatch', () => {
  it('keeps queue order, at most one row per record, up to the batch size', () => {
    const a1 = op({ operation: 'update', entityId: 1 });
    const b1 = op({ operation: 'update', entityId: 2 });
    const a2 = op({ operation: 'update', entityId: 1 });
    const c1 = op({ operation: 'update', entityId: 3 });
    expect(selectBatch([a1, b1, a2, c1], 10).map((o) => o.id)).toEqual([a1.id, b1.id, c1.id]);
    expect(selectBatch([a1, b1, a2, c1], 2).map((o) => o.id)).toEqual([a1.id, b1.id]);
  });

  it('holds back the rows of a record with a conflict or a rejected operation, not the others', () => {
    const blocked = op({ operation: 'update', entityId: 1, status: 'conflict' });
    const behind = op({ operation: 'update', entityId: 1 });
    const rejected = op({ operation: 'update', entityId: 2, status: 'failed', retryable: false });
    const retryable = op({ operation: 'update', entityId: 3, status: 'failed', retryable: true });
    const free = op({ operation: 'update', entityId: 4 });
    expect(selectBatch([blocked, behind, rejected, retryable, free], 10).map((o) => o.id)).toEqual([retryable.id, free.id]);
  });
});

import 'fake-indexeddb/auto';
import { keyRuns } from '../../../sw/store/apply-push.ts';

describe('keyRuns', () => {
  it('covers exactly the chosen ids with as few ranges as the gaps allow', () => {
    const runs = keyRuns([5, 1, 2, 3, 7, 8, 9, 4], new Set([1, 2, 3, 5, 7, 8, 9]));
    // 6 does not exist, so 5..9 is one range; 4 is not chosen and splits the run.
    expect(runs.map((r) => [r.lower, r.upper])).toEqual([[1, 3], [5, 9]]);
    expect(keyRuns([1, 2], new Set())).toEqual([]);
  });
});
