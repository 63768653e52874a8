import { describe, expect, it } from 'vitest';
import { fieldsNeedingChoice, resolveConflict, ResolutionError, serverStateBehind } from '../../../sw/core/resolve.ts';
import { backoffDelay, parseRetryAfter } from '../../../sw/core/backoff.ts';
import { applyChanges, changedFields } from '../../../sw/core/rebase.ts';

const serverData = {
  id: 5, title: 'Vaccination', notes: 'server note', durationMinutes: '30', status: 'confirmed',
  version: 4, updatedAt: '2026-11-25T10:00:00.000Z',
};
const conflict = {
  conflictType: 'version' as const,
  localData: { title: 'Checkup', notes: 'local note', durationMinutes: '45' },
  serverData,
  affectedFields: ['title', 'notes'],
  serverVersion: 4,
  localTimestamp: Date.parse('2026-11-25T09:00:00.000Z'),
};

describe('resolveConflict', () => {
  it('server wins: nothing is sent', () => {
    expect(resolveConflict(conflict, { strategy: 'server_wins' })).toEqual({ kind: 'discard', winner: 'server' });
  });

  it('client wins: every local field is sent on top of the server version', () => {
    expect(resolveConflict(conflict, { strategy: 'client_wins' })).toEqual({
      kind: 'update', winner: 'client', baseVersion: 4,
      data: { title: 'Checkup', notes: 'local note', durationMinutes: '45' },
    });
  });

  it('last write wins compares the local operation time with the server updatedAt', () => {
    expect(resolveConflict(conflict, { strategy: 'last_write_wins' }).kind).toBe('discard');
    const later = { ...conflict, localTimestamp: Date.parse('2026-11-25T11:00:00.000Z') };
    expect(resolveConflict(later, { strategy: 'last_write_wins' })).toMatchObject({ kind: 'update', winner: 'client' });
    const tie = { ...conflict, localTimestamp: Date.parse(serverData.updatedAt) };
    expect(resolveConflict(tie, { strategy: 'last_write_wins' }).kind).toBe('discard');
  });

  it('merge keeps fields only the device changed and needs a choice for fields both changed', () => {
    expect(fieldsNeedingChoice(conflict)).toEqual(['title', 'notes']);
    expect(() => resolveConflict(conflict, { strategy: 'merge' })).toThrow(ResolutionError);
    const outcome = resolveConflict(conflict, {
      strategy: 'merge',
      fields: { title: { source: 'server' }, notes: { source: 'custom', value: 'both notes' } },
    });
    expect(outcome).toEqual({ kind: 'update', winner: 'mixed', baseVersion: 4, data: { durationMinutes: '45', notes: 'both notes' } });
  });

  it('merge needs no choice where both sides wrote the same value', () => {
    const same = { ...conflict, localData: { title: 'Vaccination', durationMinutes: '45' }, affectedFields: ['title'] };
    expect(resolveConflict(same, { strategy: 'merge' })).toEqual({ kind: 'update', winner: 'mixed', baseVersion: 4, data: { durationMinutes: '45' } });
  });

  it('manual takes one choice per field and refuses a missing one or an unknown field', () => {
    expect(() => resolveConflict(conflict, { strategy: 'manual', fields: { title: { source: 'local' } } })).toThrow(/notes/);
    expect(() => resolveConflict(conflict, { strategy: 'manual', fields: { bogus: { source: 'local' } } })).toThrow(/bogus/);
    const outcome = resolveConflict(conflict, {
      strategy: 'manual',
      fields: { title: { source: 'local' }, notes: { source: 'server' }, durationMinutes: { source: 'server' } },
    });
    expect(outcome).toEqual({ kind: 'update', winner: 'mixed', baseVersion: 4, data: { title: 'Checkup' } });
  });

  it('keeping the local side of a record the server deleted re-creates it', () => {
    const deleted = { ...conflict, conflictType: 'deleted' as const, serverData: { ...serverData, deletedAt: '2026-11-25T10:00:00.000Z' } };
    const outcome = resolveConflict(deleted, { strategy: 'client_wins' });
    expect(outcome.kind).toBe('recreate');
    if (outcome.kind === 'recreate') {
      expect(outcome.data).toMatchObject({ title: 'Checkup', status: 'confirmed', notes: 'local note' });
      expect(outcome.data).not.toHaveProperty('id');
      expect(outcome.data).not.toHaveProperty('deletedAt');
    }
  });
});

describe('backoffDelay', () => {
  const policy = { baseMs: 1000, maxMs: 8000, maxAttempts: 5 };
  it('doubles per attempt with half of each step random, capped', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0.999999))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });
  it('waits at least the server\'s Retry-After, never beyond the cap', () => {
    expect(backoffDelay(1, policy, () => 0, 3000)).toBe(3000);
    expect(backoffDelay(3, policy, () => 0, 100)).toBe(2000);
    expect(backoffDelay(1, policy, () => 0, 60_000)).toBe(8000);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 10, 26, 10, 0, 0);
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('rebase', () => {
  it('applies pending changes on top of the server record in order', () => {
    const server = { id: 1, title: 'A', notes: null, deletedAt: null, updatedAt: 'x' };
    const out = applyChanges(server, [
      { operation: 'update', data: { title: 'B' }, timestamp: 0 },
      { operation: 'update', data: { notes: 'n' }, timestamp: 0 },
    ]);
    expect(out).toMatchObject({ id: 1, title: 'B', notes: 'n' });
    expect(applyChanges(server, [{ operation: 'delete', data: null, timestamp: 0 }])).toMatchObject({ deletedAt: '1970-01-01T00:00:00.000Z' });
    expect(applyChanges(null, [{ operation: 'update', data: { title: 'B' }, timestamp: 0 }])).toBeNull();
  });

  it('finds changed fields, ignoring server-owned ones', () => {
    expect(changedFields({ title: 'A', notes: null, version: 2 }, { title: 'A', notes: 'x', version: 9 })).toEqual({ notes: 'x' });
  });
});

describe('resolving a deletion made on the device', () => {
  const deletion = { ...conflict, localOperation: 'delete' as const, localData: {}, affectedFields: ['title'] };
  it('client wins confirms the delete on top of the server version; server wins keeps the record', () => {
    expect(resolveConflict(deletion, { strategy: 'client_wins' })).toEqual({ kind: 'delete', baseVersion: 4, winner: 'client' });
    expect(resolveConflict(deletion, { strategy: 'server_wins' })).toEqual({ kind: 'discard', winner: 'server' });
    expect(resolveConflict(deletion, { strategy: 'last_write_wins' }).kind).toBe('discard');
    expect(resolveConflict({ ...deletion, localTimestamp: Date.parse('2026-11-26T00:00:00Z') }, { strategy: 'last_write_wins' }).kind).toBe('delete');
  });
  it('refuses merge and manual, which have no fields to choose', () => {
    expect(() => resolveConflict(deletion, { strategy: 'merge' })).toThrow(/deletion/);
    expect(() => resolveConflict(deletion, { strategy: 'manual', fields: {} })).toThrow(ResolutionError);
  });
});

describe('last write wins by when each edit was made', () => {
  it('compares the local edit time with serverEditedAt, not with when the server received the edit', () => {
    // The server received its edit at 10:00, but it was made on another tablet at 08:30 (offline).
    const edited = { ...conflict, serverEditedAt: Date.parse('2026-11-25T08:30:00.000Z') };
    expect(resolveConflict(edited, { strategy: 'last_write_wins' })).toMatchObject({ kind: 'update', winner: 'client' });
    expect(resolveConflict({ ...edited, serverEditedAt: Date.parse('2026-11-25T09:30:00.000Z') }, { strategy: 'last_write_wins' }).kind).toBe('discard');
  });
});

describe('resolving a held double booking', () => {
  const booking = {
    title: 'Dental', type: 'dental', date: '2026-11-26T10:00:00.000Z', durationMinutes: '30', status: 'scheduled',
    notes: 'fasting', petId: 'temp_pet_1', practitionerId: 7, overlapAllowed: false,
  };
  const heldCreate = {
    conflictType: 'double_booking' as const, localOperation: 'create' as const, localData: booking, serverData: {},
    affectedFields: ['date', 'durationMinutes', 'practitionerId'], serverVersion: 0, localTimestamp: 0,
  };
  const serverBooking = { ...booking, id: 40, petId: 3, version: 5, updatedAt: '2026-11-25T10:00:00.000Z' };
  const heldUpdate = { ...heldCreate, localOperation: 'update' as const, localData: { date: '2026-11-26T11:00:00.000Z', notes: 'moved' }, serverData: serverBooking, serverVersion: 5 };

  it('move: the held create goes again with the new slot, checked and normalised by the protocol schema', () => {
    const outcome = resolveConflict(heldCreate, { strategy: 'move', changes: { date: '2026-11-26T12:15:00+01:00', durationMinutes: 20 } });
    expect(outcome).toEqual({ kind: 'create', winner: 'client', data: { ...booking, date: '2026-11-26T11:15:00.000Z', durationMinutes: '20', overlapAllowed: false } });
  });

  it('move: refuses no change, a bad value and a field a move does not change', () => {
    expect(() => resolveConflict(heldCreate, { strategy: 'move' })).toThrow(/Choose a new time/);
    expect(() => resolveConflict(heldCreate, { strategy: 'move', changes: {} })).toThrow(ResolutionError);
    expect(() => resolveConflict(heldCreate, { strategy: 'move', changes: { durationMinutes: 0 } })).toThrow(/Duration must be 1 to 1,440 minutes/);
    expect(() => resolveConflict(heldCreate, { strategy: 'move', changes: { date: 'tomorrow' } })).toThrow(/date/i);
    expect(() => resolveConflict(heldCreate, { strategy: 'move', changes: { title: 'x' } as never })).toThrow(/only the time, duration or practitioner/);
  });

  it('keep both: sent again with overlapAllowed, create or update', () => {
    expect(resolveConflict(heldCreate, { strategy: 'keep_both' })).toEqual({ kind: 'create', winner: 'client', data: { ...booking, overlapAllowed: true } });
    expect(resolveConflict(heldUpdate, { strategy: 'keep_both' })).toEqual({
      kind: 'update', winner: 'client', baseVersion: 5, data: { date: '2026-11-26T11:00:00.000Z', notes: 'moved', overlapAllowed: true },
    });
  });

  it('cancel mine: a held create is kept as a cancelled booking (what was typed stays); a held update cancels the booking', () => {
    expect(resolveConflict(heldCreate, { strategy: 'cancel_mine' })).toEqual({ kind: 'create', winner: 'client', data: { ...booking, status: 'cancelled' } });
    expect(resolveConflict(heldUpdate, { strategy: 'cancel_mine' })).toEqual({
      kind: 'update', winner: 'client', baseVersion: 5, data: { date: '2026-11-26T11:00:00.000Z', notes: 'moved', status: 'cancelled' },
    });
  });

  it('a move of a held update sends only what differs from the server; back to the server\'s slot sends nothing', () => {
    expect(resolveConflict(heldUpdate, { strategy: 'move', changes: { date: '2026-11-26T15:00:00.000Z' } })).toEqual({
      kind: 'update', winner: 'client', baseVersion: 5, data: { date: '2026-11-26T15:00:00.000Z', notes: 'moved' },
    });
    const onlyDate = { ...heldUpdate, localData: { date: '2026-11-26T11:00:00.000Z' } };
    expect(resolveConflict(onlyDate, { strategy: 'move', changes: { date: booking.date } })).toEqual({ kind: 'discard', winner: 'server' });
  });

  it('undo my change (server wins) drops the held change; the version strategies do not apply', () => {
    expect(resolveConflict(heldUpdate, { strategy: 'server_wins' })).toEqual({ kind: 'discard', winner: 'server' });
    expect(resolveConflict(heldCreate, { strategy: 'server_wins' })).toEqual({ kind: 'discard', winner: 'server' });
    for (const strategy of ['client_wins', 'last_write_wins', 'merge', 'manual'] as const) {
      expect(() => resolveConflict(heldCreate, { strategy })).toThrow(/moving it, keeping both or cancelling/);
    }
    expect(() => resolveConflict(conflict, { strategy: 'keep_both' })).toThrow(/double booking/);
  });
});

describe('serverStateBehind', () => {
  it('is the server record for a version conflict and a held update, nothing for a held create', () => {
    expect(serverStateBehind({ conflictType: 'version', serverData, localOperation: 'update' })).toBe(serverData);
    expect(serverStateBehind({ conflictType: 'double_booking', serverData, localOperation: 'update' })).toBe(serverData);
    expect(serverStateBehind({ conflictType: 'double_booking', serverData: {}, localOperation: 'create' })).toBeNull();
    expect(serverStateBehind({ conflictType: 'deleted', serverData, localOperation: 'update' })).toBeUndefined();
  });
});
