import { describe, expect, it } from 'vitest';
import {
  buildResolution,
  conflictRows,
  defaultChoices,
  fieldsRequiringChoice,
  lastWriteSentence,
  lastWriteWinner,
  outcomeSummary,
  strategiesFor,
} from '../../../src/components/conflict-fields.ts';
import { formatDateTime, formatTime, formatTimeWithSeconds } from '../../../src/format.ts';
import { conflict } from './fakes.ts';

describe('conflict fields', () => {
  const c = conflict({
    localData: { title: 'Local title', notes: 'Same', durationMinutes: '45' },
    serverData: {
      id: 42,
      title: 'Server title',
      notes: 'Same',
      durationMinutes: '30',
      version: 3,
      updatedAt: '2026-11-25T10:00:00.000Z',
    },
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
    const manual = buildResolution(c, 'manual', {
      ...defaultChoices(c, 'manual'),
      title: { source: 'custom', value: 'Both' },
      durationMinutes: { source: 'server' },
    });
    expect(manual).toEqual({
      ok: true,
      resolution: {
        strategy: 'manual',
        fields: {
          title: { source: 'custom', value: 'Both' },
          notes: { source: 'server' },
          durationMinutes: { source: 'server' },
        },
      },
    });
  });

  it('last write wins compares the local change time with the server updatedAt (ties to the server)', () => {
    expect(lastWriteWinner(c)).toBe('server');
    expect(lastWriteWinner({ ...c, localTimestamp: Date.parse('2026-11-25T11:00:00.000Z') })).toBe('local');
    expect(lastWriteWinner({ ...c, localTimestamp: Date.parse('2026-11-25T10:00:00.000Z') })).toBe('server');
  });

  it('last write wins goes by when the other edit was made on its device (serverEditedAt) when the server says', () => {
    const mine = Date.parse('2026-11-25T10:42:00.000Z');
    const theirs = Date.parse('2026-11-25T10:39:00.000Z');
    const t = (ms: number) => formatTime(new Date(ms).toISOString());
    // Received at 10:50, made at 10:39: ours (10:42) is the newer edit.
    const received = {
      ...c,
      localTimestamp: mine,
      serverData: { ...c.serverData, updatedAt: '2026-11-25T10:50:00.000Z' },
    };
    expect(lastWriteWinner(received)).toBe('server');
    expect(lastWriteSentence(received)).toBe(
      `The other edit (${t(Date.parse('2026-11-25T10:50:00.000Z'))}, when the server received it) is newer than yours (${t(mine)} on this tablet).`,
    );
    const edited = { ...received, serverEditedAt: theirs };
    expect(lastWriteWinner(edited)).toBe('local');
    expect(lastWriteSentence(edited)).toBe(
      `Your edit (${t(mine)} on this tablet) is newer than the other edit (${t(theirs)}, when it was made).`,
    );
    expect(lastWriteSentence({ ...edited, serverEditedAt: mine })).toContain('the other edit is kept');
    // Named when the server says who made its edit.
    const named = { ...edited, serverEditedBy: { id: 4, name: 'Dr. Sam Patel' } };
    expect(lastWriteSentence(named)).toBe(
      `Your edit (${t(mine)} on this tablet) is newer than Dr. Sam Patel’s edit (${t(theirs)}, when it was made).`,
    );
    expect(lastWriteSentence({ ...named, serverEditedAt: mine + 60_000 })).toMatch(/^Dr\. Sam Patel’s edit \(/);
    expect(lastWriteSentence({ ...named, serverEditedAt: mine })).toContain('Dr. Sam Patel’s edit is kept');
    // On another day the date is named too; in the same minute, the seconds.
    const yesterday = mine - 86_400_000;
    expect(lastWriteSentence({ ...edited, serverEditedAt: yesterday })).toContain(formatDateTime(yesterday));
    expect(lastWriteSentence({ ...edited, serverEditedAt: mine + 20_000 })).toBe(
      `The other edit (${formatTimeWithSeconds(mine + 20_000)}, when it was made) is newer than yours (${formatTimeWithSeconds(mine)} on this tablet).`,
    );
  });

  it('a double booking offers its own ways out; undo only for a held change', () => {
    const booking = { ...c, conflictType: 'double_booking' as const };
    expect(strategiesFor({ ...booking, localOperation: 'create' })).toEqual(['move', 'keep_both', 'cancel_mine']);
    expect(strategiesFor({ ...booking, localOperation: 'update' })).toEqual([
      'move',
      'keep_both',
      'cancel_mine',
      'server_wins',
    ]);
    expect(outcomeSummary({ ...booking, localOperation: 'create' }, 'cancel_mine')).toContain('kept as cancelled');
    expect(buildResolution(booking, 'keep_both', {})).toEqual({ ok: true, resolution: { strategy: 'keep_both' } });
  });
});
