import { describe, expect, it } from 'vitest';
import {
  buildResolution,
  conflictRows,
  defaultChoices,
  fieldsRequiringChoice,
  lastWriteWinner,
} from '../../../src/components/conflict-fields.ts';
import { conflict } from './fakes.ts';

describe('conflict fields', () => {
  const c = conflict({
    localData: { title: 'Local title', notes: 'Same', durationMinutes: '45' },
    serverData: { id: 42, title: 'Server title', notes: 'Same', durationMinutes: '30', version: 3, updatedAt: '2026-11-25T10:00:00.000Z' },
    affectedFields: ['title'],
  });

  it('lists local vs server per field, flags differing and conflicting ones, hides server-owned fields', () => {
    const rows = conflictRows(c);
    expect(rows.map((r) => [r.field, r.differs, r.conflicting])).toEqual([
      ['title', true, true],
      ['notes', false, false],
      ['durationMinutes', true, false],
    ]);
  });

  it('merge needs a choice only for fields both sides changed; manual for every field', () => {
    expect(fieldsRequiringChoice(c, 'merge')).toEqual(['title']);
    expect(fieldsRequiringChoice(c, 'manual')).toEqual(['title', 'notes', 'durationMinutes']);
    expect(fieldsRequiringChoice(c, 'client_wins')).toEqual([]);
  });

  it('manual preselects fields that already agree', () => {
    expect(defaultChoices(c, 'manual')).toEqual({ notes: { source: 'server' } });
    expect(defaultChoices(c, 'merge')).toEqual({});
  });

  it('builds the message, or lists the missing choices', () => {
    expect(buildResolution(c, 'server_wins', {})).toEqual({ ok: true, resolution: { strategy: 'server_wins' } });
    expect(buildResolution(c, 'merge', {})).toEqual({ ok: false, missing: ['title'] });
    expect(buildResolution(c, 'merge', { title: { source: 'local' } })).toEqual({
      ok: true,
      resolution: { strategy: 'merge', fields: { title: { source: 'local' } } },
    });
    const manual = buildResolution(c, 'manual', { ...defaultChoices(c, 'manual'), title: { source: 'custom', value: 'Both' }, durationMinutes: { source: 'server' } });
    expect(manual).toEqual({
      ok: true,
      resolution: {
        strategy: 'manual',
        fields: { title: { source: 'custom', value: 'Both' }, notes: { source: 'server' }, durationMinutes: { source: 'server' } },
      },
    });
  });

  it('last write wins compares the local change time with the server updatedAt (ties to the server)', () => {
    expect(lastWriteWinner(c)).toBe('server');
    expect(lastWriteWinner({ ...c, localTimestamp: Date.parse('2026-11-25T11:00:00.000Z') })).toBe('local');
    expect(lastWriteWinner({ ...c, localTimestamp: Date.parse('2026-11-25T10:00:00.000Z') })).toBe('server');
  });
});
