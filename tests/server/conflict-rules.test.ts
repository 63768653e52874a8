/** The pure conflict decisions (no database). */
import { describe, expect, it } from 'vitest';
import { decideDelete, decideUpdate, rebuildHistory } from '../../server/sync/conflicts.ts';
import type { WireRecord } from '../../server/store/wire.ts';

const FIELDS = ['title', 'notes', 'status'] as const;
const row = (version: number, fields: Record<string, string | null>, deletedAt: string | null = null): WireRecord => ({
  id: 1,
  version,
  updatedAt: '2026-03-10T09:00:00.000Z',
  deletedAt,
  ...fields,
});

describe('rebuildHistory', () => {
  it('rolls the row back through the revisions and lists the fields changed since', () => {
    const current = row(3, { title: 'C', notes: 'n2', status: 's' });
    const history = rebuildHistory(current, FIELDS, 1, [
      { version: 3, previous: { notes: 'n1' }, changedAt: 3 },
      { version: 2, previous: { title: 'A', notes: null }, changedAt: 2 },
    ]);
    expect(history.base).toEqual({ title: 'A', notes: null, status: 's' });
    expect([...history.changed].sort()).toEqual(['notes', 'title']);
  });

  it('treats every field as changed when revisions are missing', () => {
    const history = rebuildHistory(row(3, { title: 'C', notes: null, status: 's' }), FIELDS, 1, [{ version: 3, previous: { notes: 'x' }, changedAt: 3 }]);
    expect([...history.changed].sort()).toEqual(['notes', 'status', 'title']);
  });
});

describe('decideUpdate', () => {
  const current = row(2, { title: 'Server', notes: null, status: 'confirmed' });
  const history = { base: { title: 'Base', notes: null, status: 'confirmed' }, changed: new Set(['title']) };

  it('applies only the fields that differ from the current row', () => {
    expect(decideUpdate({ current, fields: FIELDS, local: { notes: 'x', status: 'confirmed' }, baseVersion: 2, history: null })).toEqual({
      kind: 'apply',
      changes: { notes: 'x' },
    });
  });

  it('merges disjoint changes and ignores fields the client did not change', () => {
    const local = { title: 'Base', notes: 'mine', status: 'confirmed' };
    expect(decideUpdate({ current, fields: FIELDS, local, baseVersion: 1, history })).toEqual({ kind: 'apply', changes: { notes: 'mine' } });
  });

  it('reports overlapping changes', () => {
    expect(decideUpdate({ current, fields: FIELDS, local: { title: 'Mine', notes: 'n' }, baseVersion: 1, history })).toEqual({
      kind: 'conflict',
      conflictType: 'version',
      affectedFields: ['title'],
    });
  });

  it('a deleted row is a deleted conflict whatever the version', () => {
    const deleted = row(3, { title: 'Server', notes: null, status: 'confirmed' }, '2026-03-10T10:00:00.000Z');
    expect(decideUpdate({ current: deleted, fields: FIELDS, local: { notes: 'x' }, baseVersion: 3, history: null })).toMatchObject({
      kind: 'conflict',
      conflictType: 'deleted',
    });
  });
});

describe('decideDelete', () => {
  it('deletes on the current version or without one; conflicts when the server changed since', () => {
    const current = row(2, { title: 'x', notes: null, status: 's' });
    expect(decideDelete({ current, fields: FIELDS, baseVersion: 2, history: null })).toEqual({ kind: 'delete' });
    expect(decideDelete({ current, fields: FIELDS, baseVersion: undefined, history: null })).toEqual({ kind: 'delete' });
    expect(decideDelete({ current, fields: FIELDS, baseVersion: 1, history: { base: {}, changed: new Set(['notes']) } })).toEqual({
      kind: 'conflict',
      affectedFields: ['notes'],
    });
    expect(decideDelete({ current: row(2, {}, '2026-03-10T10:00:00.000Z'), fields: FIELDS, baseVersion: 1, history: null })).toEqual({ kind: 'noop' });
  });
});
