import { describe, expect, it } from 'vitest';
import { applyChanges, changedFields } from '../../../../sw/core/rebase.ts';

describe('rebase', () => {
  it('applies pending changes on top of the server record in order', () => {
    const server = { id: 1, title: 'A', notes: null, deletedAt: null, updatedAt: 'x' };
    const out = applyChanges(server, [
      { operation: 'update', data: { title: 'B' }, timestamp: 0 },
      { operation: 'update', data: { notes: 'n' }, timestamp: 0 },
    ]);
    expect(out).toMatchObject({ id: 1, title: 'B', notes: 'n' });
    expect(applyChanges(server, [{ operation: 'delete', data: null, timestamp: 0 }])).toMatchObject({
      deletedAt: '1970-01-01T00:00:00.000Z',
    });
    expect(applyChanges(null, [{ operation: 'update', data: { title: 'B' }, timestamp: 0 }])).toBeNull();
  });

  it('finds changed fields, ignoring server-owned ones', () => {
    expect(changedFields({ title: 'A', notes: null, version: 2 }, { title: 'A', notes: 'x', version: 9 })).toEqual({
      notes: 'x',
    });
  });
});
