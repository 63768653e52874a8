import { describe, expect, it } from 'vitest';
import { coalesce } from '../../../../sw/core/coalesce.ts';
import { change, op } from './fixtures.ts';

const none = new Set<number>();

describe("coalesce (a change folds into the record's last never-sent row)", () => {
  it('a create and its updates become one create that keeps its position and opId', () => {
    const create = op({
      operation: 'create',
      entityId: 'temp_appt_a',
      tempId: 'temp_appt_a',
      data: { title: 'A', notes: null },
    });
    const update = change({ operation: 'update', entityId: 'temp_appt_a', data: { title: 'B' } });
    expect(coalesce([create], update, none)).toEqual({
      kind: 'merge',
      row: { ...create, data: { title: 'B', notes: null }, timestamp: update.timestamp },
    });
  });

  it('a create followed by a delete cancels out: nothing is sent', () => {
    const create = op({ operation: 'create', entityId: 'temp_appt_b', tempId: 'temp_appt_b', data: { title: 'A' } });
    expect(coalesce([create], change({ operation: 'delete', entityId: 'temp_appt_b', data: null }), none)).toEqual({
      kind: 'cancel',
      removed: create.id,
    });
  });

  it('updates merge keeping the first base version; update + delete becomes a delete', () => {
    const u1 = op({ operation: 'update', entityId: 7, baseVersion: 3, data: { title: 'x' } });
    const u2 = change({ operation: 'update', entityId: 7, baseVersion: 4, data: { notes: 'y' } });
    expect(coalesce([u1], u2, none)).toEqual({
      kind: 'merge',
      row: { ...u1, data: { title: 'x', notes: 'y' }, timestamp: u2.timestamp },
    });
    const del = change({ operation: 'delete', entityId: 7, baseVersion: 3, data: null });
    expect(coalesce([u1], del, none)).toEqual({
      kind: 'merge',
      row: { ...u1, operation: 'delete', data: null, timestamp: del.timestamp },
    });
  });

  it('never changes a row that was sent, or is in flight now (its opId may be applied on the server)', () => {
    const sent = op({
      operation: 'create',
      entityId: 'temp_appt_c',
      tempId: 'temp_appt_c',
      data: { title: 'A' },
      attempts: 1,
    });
    const update = change({ operation: 'update', entityId: 'temp_appt_c', data: { title: 'B' } });
    expect(coalesce([sent], update, none)).toEqual({ kind: 'add' });
    const flying = op({ operation: 'create', entityId: 'temp_appt_d', tempId: 'temp_appt_d', data: { title: 'A' } });
    expect(coalesce([flying], { ...update, entityId: 'temp_appt_d' }, new Set([flying.id]))).toEqual({ kind: 'add' });
  });

  it("never folds one person's change into another's row: each is sent under its author", () => {
    const theirs = op({ operation: 'update', entityId: 7, data: { notes: 'by user 2' }, userId: 2 });
    expect(
      coalesce([theirs], change({ operation: 'update', entityId: 7, data: { title: 'by user 1' }, userId: 1 }), none),
    ).toEqual({ kind: 'add' });
    const theirCreate = op({ operation: 'create', entityId: 'temp_appt_t', userId: 2 });
    expect(coalesce([theirCreate], change({ operation: 'delete', entityId: 'temp_appt_t', userId: 1 }), none)).toEqual({
      kind: 'add',
    });
  });

  it('leaves everything behind a conflict or a rejection as separate rows', () => {
    const conflict = op({ operation: 'update', entityId: 9, status: 'conflict', data: { title: 'x' } });
    const behind = op({ operation: 'update', entityId: 9, data: { title: 'y' } });
    expect(
      coalesce([conflict, behind], change({ operation: 'update', entityId: 9, data: { notes: 'z' } }), none),
    ).toEqual({ kind: 'add' });
    const rejected = op({ operation: 'update', entityId: 10, status: 'failed', retryable: false });
    expect(coalesce([rejected], change({ operation: 'update', entityId: 10, data: { notes: 'z' } }), none)).toEqual({
      kind: 'add',
    });
  });
});
