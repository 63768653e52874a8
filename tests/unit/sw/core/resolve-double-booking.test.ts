import { describe, expect, it } from 'vitest';
import { resolveConflict, ResolutionError } from '../../../../sw/core/resolve.ts';
import { conflict } from './fixtures.ts';

// Held double bookings are resolved through resolveConflict, which hands them to resolve-double-booking.ts.
describe('resolving a held double booking', () => {
  const booking = {
    title: 'Dental',
    type: 'dental',
    date: '2026-11-26T10:00:00.000Z',
    durationMinutes: '30',
    status: 'scheduled',
    notes: 'fasting',
    petId: 'temp_pet_1',
    practitionerId: 7,
    overlapAllowed: false,
  };
  const heldCreate = {
    conflictType: 'double_booking' as const,
    localOperation: 'create' as const,
    localData: booking,
    serverData: {},
    affectedFields: ['date', 'durationMinutes', 'practitionerId'],
    serverVersion: 0,
    localTimestamp: 0,
  };
  const serverBooking = { ...booking, id: 40, petId: 3, version: 5, updatedAt: '2026-11-25T10:00:00.000Z' };
  const heldUpdate = {
    ...heldCreate,
    localOperation: 'update' as const,
    localData: { date: '2026-11-26T11:00:00.000Z', notes: 'moved' },
    serverData: serverBooking,
    serverVersion: 5,
  };

  it('move: the held create goes again with the new slot, checked and normalised by the protocol schema', () => {
    const outcome = resolveConflict(heldCreate, {
      strategy: 'move',
      changes: { date: '2026-11-26T12:15:00+01:00', durationMinutes: 20 },
    });
    expect(outcome).toEqual({
      kind: 'create',
      winner: 'client',
      data: { ...booking, date: '2026-11-26T11:15:00.000Z', durationMinutes: '20', overlapAllowed: false },
    });
  });

  it('move: refuses no change, a bad value and a field a move does not change', () => {
    expect(() => resolveConflict(heldCreate, { strategy: 'move' })).toThrow(/Choose a new time/);
    expect(() => resolveConflict(heldCreate, { strategy: 'move', changes: {} })).toThrow(ResolutionError);
    expect(() => resolveConflict(heldCreate, { strategy: 'move', changes: { durationMinutes: 0 } })).toThrow(
      /Duration must be 1 to 1,440 minutes/,
    );
    expect(() => resolveConflict(heldCreate, { strategy: 'move', changes: { date: 'tomorrow' } })).toThrow(/date/i);
    expect(() => resolveConflict(heldCreate, { strategy: 'move', changes: { title: 'x' } as never })).toThrow(
      /only the time, duration or practitioner/,
    );
  });

  it('keep both: sent again with overlapAllowed, create or update', () => {
    expect(resolveConflict(heldCreate, { strategy: 'keep_both' })).toEqual({
      kind: 'create',
      winner: 'client',
      data: { ...booking, overlapAllowed: true },
    });
    expect(resolveConflict(heldUpdate, { strategy: 'keep_both' })).toEqual({
      kind: 'update',
      winner: 'client',
      baseVersion: 5,
      data: { date: '2026-11-26T11:00:00.000Z', notes: 'moved', overlapAllowed: true },
    });
  });

  it('cancel mine: a held create is kept as a cancelled booking (what was typed stays); a held update cancels the booking', () => {
    expect(resolveConflict(heldCreate, { strategy: 'cancel_mine' })).toEqual({
      kind: 'create',
      winner: 'client',
      data: { ...booking, status: 'cancelled' },
    });
    expect(resolveConflict(heldUpdate, { strategy: 'cancel_mine' })).toEqual({
      kind: 'update',
      winner: 'client',
      baseVersion: 5,
      data: { date: '2026-11-26T11:00:00.000Z', notes: 'moved', status: 'cancelled' },
    });
  });

  it("a move of a held update sends only what differs from the server; back to the server's slot sends nothing", () => {
    expect(resolveConflict(heldUpdate, { strategy: 'move', changes: { date: '2026-11-26T15:00:00.000Z' } })).toEqual({
      kind: 'update',
      winner: 'client',
      baseVersion: 5,
      data: { date: '2026-11-26T15:00:00.000Z', notes: 'moved' },
    });
    const onlyDate = { ...heldUpdate, localData: { date: '2026-11-26T11:00:00.000Z' } };
    expect(resolveConflict(onlyDate, { strategy: 'move', changes: { date: booking.date } })).toEqual({
      kind: 'discard',
      winner: 'server',
    });
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
