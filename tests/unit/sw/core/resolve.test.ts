import { describe, expect, it } from 'vitest';
import {
  fieldsNeedingChoice,
  resolveConflict,
  ResolutionError,
  serverStateBehind,
} from '../../../../sw/core/resolve.ts';
import { conflict, serverData } from './fixtures.ts';

describe('resolveConflict', () => {
  it('server wins: nothing is sent', () => {
    expect(resolveConflict(conflict, { strategy: 'server_wins' })).toEqual({ kind: 'discard', winner: 'server' });
  });

  it('client wins: every local field is sent on top of the server version', () => {
    expect(resolveConflict(conflict, { strategy: 'client_wins' })).toEqual({
      kind: 'update',
      winner: 'client',
      baseVersion: 4,
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
    expect(outcome).toEqual({
      kind: 'update',
      winner: 'mixed',
      baseVersion: 4,
      data: { durationMinutes: '45', notes: 'both notes' },
    });
  });

  it('merge needs no choice where both sides wrote the same value', () => {
    const same = { ...conflict, localData: { title: 'Vaccination', durationMinutes: '45' }, affectedFields: ['title'] };
    expect(resolveConflict(same, { strategy: 'merge' })).toEqual({
      kind: 'update',
      winner: 'mixed',
      baseVersion: 4,
      data: { durationMinutes: '45' },
    });
  });

  it('manual takes one choice per field and refuses a missing one or an unknown field', () => {
    expect(() => resolveConflict(conflict, { strategy: 'manual', fields: { title: { source: 'local' } } })).toThrow(
      /notes/,
    );
    expect(() => resolveConflict(conflict, { strategy: 'manual', fields: { bogus: { source: 'local' } } })).toThrow(
      /bogus/,
    );
    const outcome = resolveConflict(conflict, {
      strategy: 'manual',
      fields: { title: { source: 'local' }, notes: { source: 'server' }, durationMinutes: { source: 'server' } },
    });
    expect(outcome).toEqual({ kind: 'update', winner: 'mixed', baseVersion: 4, data: { title: 'Checkup' } });
  });

  it('keeping the local side of a record the server deleted re-creates it', () => {
    const deleted = {
      ...conflict,
      conflictType: 'deleted' as const,
      serverData: { ...serverData, deletedAt: '2026-11-25T10:00:00.000Z' },
    };
    const outcome = resolveConflict(deleted, { strategy: 'client_wins' });
    expect(outcome.kind).toBe('recreate');
    if (outcome.kind === 'recreate') {
      expect(outcome.data).toMatchObject({ title: 'Checkup', status: 'confirmed', notes: 'local note' });
      expect(outcome.data).not.toHaveProperty('id');
      expect(outcome.data).not.toHaveProperty('deletedAt');
    }
  });
});

describe('resolving a deletion made on the device', () => {
  const deletion = { ...conflict, localOperation: 'delete' as const, localData: {}, affectedFields: ['title'] };
  it('client wins confirms the delete on top of the server version; server wins keeps the record', () => {
    expect(resolveConflict(deletion, { strategy: 'client_wins' })).toEqual({
      kind: 'delete',
      baseVersion: 4,
      winner: 'client',
    });
    expect(resolveConflict(deletion, { strategy: 'server_wins' })).toEqual({ kind: 'discard', winner: 'server' });
    expect(resolveConflict(deletion, { strategy: 'last_write_wins' }).kind).toBe('discard');
    expect(
      resolveConflict(
        { ...deletion, localTimestamp: Date.parse('2026-11-26T00:00:00Z') },
        { strategy: 'last_write_wins' },
      ).kind,
    ).toBe('delete');
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
    expect(resolveConflict(edited, { strategy: 'last_write_wins' })).toMatchObject({
      kind: 'update',
      winner: 'client',
    });
    expect(
      resolveConflict(
        { ...edited, serverEditedAt: Date.parse('2026-11-25T09:30:00.000Z') },
        { strategy: 'last_write_wins' },
      ).kind,
    ).toBe('discard');
  });
});

describe('serverStateBehind', () => {
  it('is the server record for a version conflict and a held update, nothing for a held create', () => {
    expect(serverStateBehind({ conflictType: 'version', serverData, localOperation: 'update' })).toBe(serverData);
    expect(serverStateBehind({ conflictType: 'double_booking', serverData, localOperation: 'update' })).toBe(
      serverData,
    );
    expect(serverStateBehind({ conflictType: 'double_booking', serverData: {}, localOperation: 'create' })).toBeNull();
    expect(serverStateBehind({ conflictType: 'deleted', serverData, localOperation: 'update' })).toBeUndefined();
  });
});
