// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { SyncEnginePanel, nothingWaiting } from '../../../src/components/sync-engine-panel.ts';
import type { ConflictResolutionDialog } from '../../../src/components/conflict-resolution-dialog.ts';
import type { ConflictRecord, QueuedOperation, Resolution } from '../../../src/protocol/index.ts';
import {
  FakeWorker,
  STATS,
  conflict,
  eventually,
  fakeServices,
  heldDoubleBooking,
  syncResult,
  operation,
  syncState,
} from './fakes.ts';
import { buttonByText, mount, settle, shadow, text } from './dom.ts';
import { formatShortDay, formatTime, formatTimeRange } from '../../../src/format.ts';

afterEach(() => document.body.replaceChildren());

async function panel(worker: FakeWorker) {
  const el = await mount(new SyncEnginePanel(), {
    services: fakeServices(worker, { now: () => Date.parse('2026-11-25T10:06:00Z') }),
  });
  await settle(el);
  return el;
}

function dialogOf(el: SyncEnginePanel): ConflictResolutionDialog {
  return shadow(el).querySelector('conflict-resolution-dialog') as ConflictResolutionDialog;
}

/** A worker whose conflicts get resolved by RESOLVE_CONFLICT, recording the resolutions. */
function conflictWorker(record: ConflictRecord) {
  const resolutions: Resolution[] = [];
  let conflicts = [record];
  const worker = new FakeWorker({
    GET_CONFLICTS: () => conflicts,
    RESOLVE_CONFLICT: (m) => {
      resolutions.push(m.resolution);
      conflicts = conflicts.map((c) =>
        c.id === m.conflictId ? { ...c, resolved: true, resolution: m.resolution.strategy } : c,
      );
      return { queuedOperationId: 99 };
    },
  });
  return { worker, resolutions };
}

async function openDialog(el: SyncEnginePanel): Promise<ConflictResolutionDialog> {
  buttonByText(shadow(el), 'Resolve…').click();
  // The dialog's code is loaded on demand: the first time takes a moment.
  await eventually(() => expect(dialogOf(el)?.open).toBe(true), 5_000);
  const dialog = dialogOf(el);
  await dialog.updateComplete;
  return dialog;
}

async function pickStrategy(dialog: ConflictResolutionDialog, strategy: string): Promise<void> {
  const radio = shadow(dialog).querySelector(`input[name="strategy"][value="${strategy}"]`) as HTMLInputElement;
  radio.click();
  await dialog.updateComplete;
}

async function apply(dialog: ConflictResolutionDialog): Promise<void> {
  buttonByText(shadow(dialog), 'Apply').click();
  await dialog.updateComplete;
}

describe('<sync-engine-panel>', () => {
  it('shows the last sync that did something (not a later empty run) and the queue counters; Sync Now sends SYNC_NOW', async () => {
    const worker = new FakeWorker({
      GET_STATE: () =>
        syncState({
          stats: { ...STATS, pending: 2, failed: 1, completed: 5 },
          lastActivity: {
            pushed: 3,
            failed: 1,
            conflicts: 0,
            pulled: 12,
            durationMs: 1500,
            finishedAt: Date.parse('2026-11-25T10:00:00Z'),
            error: null,
            trigger: 'manual',
          },
          lastResult: {
            pushed: 0,
            failed: 0,
            conflicts: 0,
            pulled: 0,
            durationMs: 20,
            finishedAt: Date.parse('2026-11-25T10:05:00Z'),
            error: null,
            trigger: 'startup',
          },
        }),
      SYNC_NOW: () => ({
        pushed: 2,
        failed: 0,
        conflicts: 0,
        pulled: 0,
        durationMs: 10,
        finishedAt: 2,
        error: null,
        trigger: 'manual',
      }),
    });
    const el = await panel(worker);
    const root = shadow(el);
    expect(text(root.querySelector('[data-testid="result-pushed"]'))).toBe('3');
    expect(text(root.querySelector('[data-testid="result-pulled"]'))).toBe('12');
    expect(text(root.querySelector('[data-testid="result-when"]'))).toContain('started by Sync Now');
    expect(text(root)).toContain('Checked again 1 min ago: nothing new.');
    expect(text(root.querySelector('[data-testid="queue-pending"]'))).toBe('2');
    expect(text(root.querySelector('[data-testid="queue-failed"]'))).toBe('1');
    buttonByText(root, 'Sync Now').click();
    await eventually(() => expect(worker.sentOfType('SYNC_NOW')).toHaveLength(1));
  });

  it('keeps the places of the last sync while the worker state is read, then fills them (the tab does not shift)', async () => {
    const waiting: (() => void)[] = [];
    const worker = new FakeWorker({
      GET_STATE: async () => {
        await new Promise<void>((resolve) => waiting.push(resolve));
        const run = { pushed: 1, failed: 0, conflicts: 0, pulled: 4, durationMs: 10, finishedAt: 1, error: null };
        return syncState({ lastActivity: { ...run, trigger: 'manual' }, lastResult: { ...run, trigger: 'manual' } });
      },
    });
    const el = await panel(worker);
    const root = shadow(el);
    expect(text(root.querySelector('[data-testid="result-pushed"]'))).toBe('–');
    expect(text(root)).toContain('Reading the last sync…');
    const lines = () => root.querySelectorAll('[aria-labelledby="result-heading"] > :not(h2)').length;
    const placeholderLines = lines();
    expect(waiting.length).toBeGreaterThan(0);
    for (const answer of waiting) answer();
    await eventually(() => expect(text(root.querySelector('[data-testid="result-pushed"]'))).toBe('1'));
    expect(text(root.querySelector('[data-testid="result-when"]'))).toContain('started by Sync Now');
    expect(lines()).toBe(placeholderLines);
  });

  it('renders a progress bar with percentage and processed/total while syncing', async () => {
    const worker = new FakeWorker();
    const el = await panel(worker);
    worker.emit({ type: 'SYNC_PROGRESS', progress: { phase: 'pull', processed: 40, total: 100, percentage: 40 } });
    await el.updateComplete;
    const bar = shadow(el).querySelector('[role="progressbar"]');
    expect(bar?.getAttribute('aria-valuenow')).toBe('40');
    expect(text(shadow(el).querySelector('.progress'))).toContain('Receiving updates: 40 of 100 (40%)');
  });

  it('lists failed operations with their reason; Retry and (confirmed) Discard send their messages', async () => {
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, failed: 1 } }),
      GET_OPERATIONS: () => [operation()],
      RETRY_OPERATION: () => STATS,
      DISCARD_OPERATION: () => STATS,
    });
    const el = await panel(worker);
    const item = shadow(el).querySelector('li.failed') as HTMLElement;
    expect(text(item)).toContain('New appointment “Vaccination — Bella”');
    expect(text(item)).toContain('Pet 99 does not exist (PET_NOT_FOUND)');
    buttonByText(item, 'Retry').click();
    await eventually(() =>
      expect(worker.sentOfType('RETRY_OPERATION')).toEqual([{ type: 'RETRY_OPERATION', operationId: 7 }]),
    );
    await settle(el);
    buttonByText(shadow(el).querySelector('li.failed') as HTMLElement, 'Discard').click();
    await el.updateComplete;
    expect(worker.sentOfType('DISCARD_OPERATION')).toHaveLength(0); // asks first
    buttonByText(shadow(el).querySelector('li.failed') as HTMLElement, 'Confirm discard').click();
    await eventually(() =>
      expect(worker.sentOfType('DISCARD_OPERATION')).toEqual([{ type: 'DISCARD_OPERATION', operationId: 7 }]),
    );
  });

  it('an empty run does not replace the last sync that did something; one that did, does', async () => {
    const worker = new FakeWorker();
    const el = await panel(worker);
    const result = { failed: 0, conflicts: 0, durationMs: 10, error: null, trigger: 'manual' };
    worker.emit({
      type: 'SYNC_RESULT',
      result: { ...result, pushed: 4, pulled: 0, finishedAt: Date.parse('2026-11-25T10:01:00Z') },
    });
    worker.emit({
      type: 'SYNC_RESULT',
      result: { ...result, pushed: 0, pulled: 0, finishedAt: Date.parse('2026-11-25T10:02:00Z') },
    });
    await el.updateComplete;
    expect(text(shadow(el).querySelector('[data-testid="result-pushed"]'))).toBe('4');
    worker.emit({
      type: 'SYNC_RESULT',
      result: { ...result, pushed: 0, pulled: 7, finishedAt: Date.parse('2026-11-25T10:03:00Z') },
    });
    await el.updateComplete;
    expect(text(shadow(el).querySelector('[data-testid="result-pulled"]'))).toBe('7');
  });

  it('lists the waiting changes: what, which record, when and by whom', async () => {
    const ops = [
      operation({
        id: 1,
        status: 'pending',
        lastError: null,
        data: { title: 'Dental — Rex', date: '2026-11-27T15:00:00.000Z', durationMinutes: 30 },
        timestamp: Date.parse('2026-11-25T10:01:00Z'),
        userId: 3,
      }),
      operation({
        id: 2,
        status: 'in_flight',
        lastError: null,
        operation: 'update',
        entityId: 42,
        tempId: null,
        data: { notes: 'x', date: '2026-11-26T09:00:00.000Z' },
        timestamp: Date.parse('2026-11-25T09:00:00Z'),
        userId: 3,
      }),
      operation({
        id: 3,
        status: 'pending',
        lastError: null,
        operation: 'delete',
        entityType: 'pets',
        entityId: 9,
        tempId: null,
        data: null,
        userId: 99,
      }),
    ];
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, pending: 2, inFlight: 1 } }),
      GET_OPERATIONS: () => ops,
    });
    const names = {
      record: async (type: string, id: unknown) => (type === 'appointments' && id === 42 ? 'Annual checkup' : null),
      person: (userId: number) => (userId === 3 ? 'Maya Chen' : null),
    };
    const el = await mount(new SyncEnginePanel(), {
      services: fakeServices(worker, { now: () => Date.parse('2026-11-25T10:06:00Z') }),
      names,
    });
    await settle(el);
    const rows = [...shadow(el).querySelectorAll('[data-testid="waiting-list"] li')].map((li) => text(li));
    expect(text(shadow(el).querySelector('[data-testid="waiting-count"]'))).toBe('(3)');
    expect(rows[0]).toContain('New appointment “Dental — Rex”');
    expect(rows[0]).toContain('5 min ago · by Maya Chen · reference (not on the server yet)');
    expect(rows[0]).toContain('Waiting');
    // When it is booked: two "Dental — Rex" rows are told apart by it.
    const slots = [...shadow(el).querySelectorAll('[data-testid="waiting-list"] li')].map((li) =>
      text(li.querySelector('[data-testid="slot"]')),
    );
    expect(slots[0]).toBe(
      `${formatShortDay('2026-11-27T15:00:00.000Z')}, ${formatTimeRange('2026-11-27T15:00:00.000Z', 30)}`,
    );
    // An update that moves it: the new time; a pet's deletion: none.
    expect(slots[1]).toBe(`${formatShortDay('2026-11-26T09:00:00.000Z')}, ${formatTime('2026-11-26T09:00:00.000Z')}`);
    expect(slots[2]).toBe('');
    expect(rows[1]).toContain('Change to appointment “Annual checkup”');
    expect(rows[1]).toContain('Changed: Notes, Date and time');
    expect(rows[1]).toContain('reference #42');
    expect(rows[1]).toContain('Sending');
    expect(rows[2]).toContain('Deletion of pet #9');
    expect(rows[2]).toContain('by user #99');
  });

  it('says which changes wait for someone else to sign in (another user made them)', async () => {
    const ops = [
      operation({ id: 1, status: 'pending', lastError: null, data: { title: 'Mine' }, userId: 3 }),
      operation({ id: 2, status: 'pending', lastError: null, data: { title: 'Riley’s' }, userId: 7 }),
    ];
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, pending: 2 } }),
      GET_OPERATIONS: () => ops,
    });
    const names = {
      record: async () => null,
      person: (userId: number) => ({ 3: 'Maya Chen', 7: 'Riley Ortiz' })[userId] ?? null,
      waitsFor: (userId: number | null) => (userId === 3 ? null : 'Riley Ortiz'),
    };
    const el = await mount(new SyncEnginePanel(), {
      services: fakeServices(worker, { now: () => Date.parse('2026-11-25T10:06:00Z') }),
      names,
    });
    await settle(el);
    const rows = [...shadow(el).querySelectorAll('[data-testid="waiting-list"] li')].map((li) => text(li));
    expect(rows[0]).not.toContain('to sign in');
    expect(rows[1]).toContain('Waiting for Riley Ortiz to sign in');
    expect(rows[1]).toContain('Sent when Riley Ortiz signs in on this tablet');
  });

  it('"Discard all failed" counts only the signed-in person\'s failed changes; another person\'s stay for them', async () => {
    const ops = [operation({ id: 7, userId: 3 }), operation({ id: 8, data: { title: 'Theirs' }, userId: 7 })];
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, failed: 2 } }),
      GET_OPERATIONS: () => ops,
    });
    const names = {
      record: async () => null,
      person: () => null,
      waitsFor: (userId: number | null) => (userId === 3 ? null : 'Riley Ortiz'),
    };
    const el = await mount(new SyncEnginePanel(), {
      services: fakeServices(worker, { now: () => Date.parse('2026-11-25T10:06:00Z') }),
      names,
    });
    await settle(el);
    buttonByText(shadow(el), 'Discard all failed…').click();
    await el.updateComplete;
    const confirm = text(shadow(el).querySelector('[aria-label="Confirm discarding all failed changes"]'));
    expect(confirm).toContain('Discard 1 failed change?');
    expect(confirm).toContain('Failed changes made by others stay for them.');
    buttonByText(shadow(el), 'Yes, discard 1');
  });

  it('"Discard all failed" asks first, then sends CLEAR_FAILED', async () => {
    let ops = [operation({ id: 7 }), operation({ id: 8, data: { title: 'Second' } })];
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, failed: ops.length } }),
      GET_OPERATIONS: () => ops,
      CLEAR_FAILED: () => {
        ops = [];
        return STATS;
      },
    });
    const el = await panel(worker);
    buttonByText(shadow(el), 'Discard all failed…').click();
    await el.updateComplete;
    expect(worker.sentOfType('CLEAR_FAILED')).toHaveLength(0);
    expect(text(shadow(el).querySelector('[aria-label="Confirm discarding all failed changes"]'))).toContain(
      'Discard 2 failed changes?',
    );
    buttonByText(shadow(el), 'Keep them').click();
    await el.updateComplete;
    buttonByText(shadow(el), 'Discard all failed…').click();
    await el.updateComplete;
    buttonByText(shadow(el), 'Yes, discard 2').click();
    await eventually(() => expect(worker.sentOfType('CLEAR_FAILED')).toHaveLength(1));
    await eventually(() => expect(shadow(el).querySelectorAll('li.failed')).toHaveLength(0));
  });

  it('lists records the tablet could not read, in words to pass on to support', async () => {
    const worker = new FakeWorker({
      GET_QUARANTINE: () => [
        {
          entityType: 'appointments',
          id: 123,
          version: 4,
          reason: 'date: Date must be between the years 1900 and 2199',
          raw: '{"id":123}',
          receivedAt: Date.parse('2026-11-25T10:00:00Z'),
        },
      ],
    });
    const el = await panel(worker);
    const section = shadow(el).querySelector('[data-testid="quarantine"]') as HTMLElement;
    expect(text(section)).toContain('Records this tablet could not read (1)');
    expect(text(section)).toContain('Appointment #123');
    expect(text(section)).toContain('Problem: date: Date must be between the years 1900 and 2199');
    expect(text(section)).toContain('tell your support contact');
    expect(text(section.querySelector('pre'))).toContain('Record: appointments 123, version 4');
    // Read again after each sync.
    worker.emit({
      type: 'SYNC_RESULT',
      result: syncResult({ pushed: 0, pulled: 1, durationMs: 1, finishedAt: 1 }),
    });
    await eventually(() => expect(worker.sentOfType('GET_QUARANTINE')).toHaveLength(2));
  });

  it('"Recently resolved" is a disclosure that says which strategy was used', async () => {
    const resolved = conflict({
      id: 2,
      resolved: true,
      resolvedAt: Date.parse('2026-11-25T10:04:00Z'),
      resolution: 'merge:update',
    });
    const el = await panel(new FakeWorker({ GET_CONFLICTS: () => [resolved] }));
    const disclosure = shadow(el).querySelector('[data-testid="recently-resolved"]') as HTMLElement;
    await settle(el);
    const toggle = shadow(disclosure).querySelector('button') as HTMLButtonElement;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(text(toggle)).toBe('Recently resolved (1)');
    toggle.click();
    await settle(el);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(text(disclosure.querySelector('li'))).toContain('Resolved with Combine both · 2 min ago');
  });

  it('shows the unresolved count and opens the dialog with local and server values side by side', async () => {
    const { worker } = conflictWorker(conflict());
    const el = await panel(worker);
    expect(text(shadow(el).querySelector('[data-testid="unresolved-count"]'))).toBe('(1 unresolved)');
    const dialog = await openDialog(el);
    expect(dialog.open).toBe(true);
    const titleRow = shadow(dialog).querySelector('tr[data-field="title"]') as HTMLElement;
    expect(titleRow.classList.contains('differs')).toBe(true);
    expect(text(titleRow)).toContain('Checkup — Rex (local)');
    expect(text(titleRow)).toContain('Checkup — Rex (server)');
    const notesRow = shadow(dialog).querySelector('tr[data-field="notes"]') as HTMLElement;
    expect(notesRow.classList.contains('differs')).toBe(false);
  });

  it.each(['server_wins', 'client_wins', 'last_write_wins'] as const)(
    'applies %s without field choices',
    async (strategy) => {
      const { worker, resolutions } = conflictWorker(conflict());
      const el = await panel(worker);
      const dialog = await openDialog(el);
      await pickStrategy(dialog, strategy);
      await apply(dialog);
      await eventually(() => expect(resolutions).toEqual([{ strategy }]));
      await settle(el);
      expect(dialogOf(el).open).toBe(false);
      expect(text(shadow(el).querySelector('[data-testid="unresolved-count"]'))).toBe('(0 unresolved)');
    },
  );

  it('merge asks for the conflicting field before applying', async () => {
    const { worker, resolutions } = conflictWorker(conflict());
    const el = await panel(worker);
    const dialog = await openDialog(el);
    await pickStrategy(dialog, 'merge');
    await apply(dialog);
    expect(text(shadow(dialog).querySelector('[role="alert"]'))).toContain('Choose a value for: Title');
    expect(resolutions).toHaveLength(0);
    (shadow(dialog).querySelector('tr[data-field="title"] input[type="radio"]') as HTMLInputElement).click(); // "Mine"
    await dialog.updateComplete;
    await apply(dialog);
    await eventually(() =>
      expect(resolutions).toEqual([{ strategy: 'merge', fields: { title: { source: 'local' } } }]),
    );
  });

  it('manual goes field by field, with a typed value for a text field', async () => {
    const { worker, resolutions } = conflictWorker(conflict());
    const el = await panel(worker);
    const dialog = await openDialog(el);
    await pickStrategy(dialog, 'manual');
    const radios = [
      ...shadow(dialog).querySelectorAll('tr[data-field="title"] input[type="radio"]'),
    ] as HTMLInputElement[];
    expect(radios).toHaveLength(3); // Mine, Server, Other
    radios[2]!.click();
    await dialog.updateComplete;
    const other = shadow(dialog).querySelector('tr[data-field="title"] input[type="text"]') as HTMLInputElement;
    other.value = 'Checkup — Rex (agreed)';
    other.dispatchEvent(new Event('input'));
    await dialog.updateComplete;
    await apply(dialog);
    await eventually(() =>
      expect(resolutions).toEqual([
        {
          strategy: 'manual',
          fields: { title: { source: 'custom', value: 'Checkup — Rex (agreed)' }, notes: { source: 'server' } },
        },
      ]),
    );
  });

  it('keeps the dialog open with the worker’s message when a resolution is refused', async () => {
    const worker = new FakeWorker({
      GET_CONFLICTS: () => [conflict()],
      RESOLVE_CONFLICT: () => {
        throw new Error('Choose a value for: title');
      },
    });
    const el = await panel(worker);
    const dialog = await openDialog(el);
    await pickStrategy(dialog, 'client_wins');
    await apply(dialog);
    await settle(el);
    expect(dialogOf(el).open).toBe(true);
    expect(text(shadow(dialogOf(el)).querySelector('.banner.error'))).toContain('Choose a value for: title');
  });

  it('drops "choose how to resolve" as soon as a strategy is picked', async () => {
    const { worker } = conflictWorker(conflict());
    const el = await panel(worker);
    const dialog = await openDialog(el);
    await apply(dialog);
    expect(text(shadow(dialog).querySelector('[role="alert"]'))).toContain('Choose how to resolve');
    await pickStrategy(dialog, 'server_wins');
    expect(shadow(dialog).querySelector('[role="alert"]')).toBeNull();
  });

  it('lists fields changed only on the server, and the rest of the server record', async () => {
    const c = conflict({ serverChangedFields: ['title', 'durationMinutes'] });
    c.serverData = { ...c.serverData, durationMinutes: '45', status: 'confirmed' };
    const { worker } = conflictWorker(c);
    const el = await panel(worker);
    const dialog = await openDialog(el);
    const rows = [...shadow(dialog).querySelectorAll('tbody tr')].map((r) => r.getAttribute('data-field'));
    expect(rows.slice(0, 3)).toEqual(['title', 'notes', 'durationMinutes']);
    expect(rows).toContain('type');
    expect(rows).toContain('status');
    const duration = shadow(dialog).querySelector('tr[data-field="durationMinutes"]') as HTMLElement;
    expect(text(duration)).toContain('Changed on server');
    expect(text(duration)).toContain('Not changed here');
    expect(text(duration)).toContain('45');
    expect(text(shadow(dialog).querySelector('tr[data-field="status"]'))).not.toContain('Changed on server');
    // Values in words: the type's and the status's labels, minutes with their unit.
    expect(text(shadow(dialog).querySelector('tr[data-field="status"]'))).toContain('Confirmed');
    expect(text(shadow(dialog).querySelector('tr[data-field="type"]'))).toContain('Checkup');
    expect(text(duration)).toContain('45 min');
  });

  it('the "Other" value for notes is a multi-line box', async () => {
    const { worker, resolutions } = conflictWorker(
      conflict({
        localData: { notes: 'Fasting from 8pm' },
        affectedFields: ['notes'],
        serverData: { ...conflict().serverData, notes: 'No food' },
      }),
    );
    const el = await panel(worker);
    const dialog = await openDialog(el);
    await pickStrategy(dialog, 'manual');
    const radios = [
      ...shadow(dialog).querySelectorAll('tr[data-field="notes"] input[type="radio"]'),
    ] as HTMLInputElement[];
    radios[2]!.click();
    await dialog.updateComplete;
    const box = shadow(dialog).querySelector('tr[data-field="notes"] textarea') as HTMLTextAreaElement;
    expect(box).not.toBeNull();
    box.value = 'Fasting from 8pm\nNo food after';
    box.dispatchEvent(new Event('input'));
    await dialog.updateComplete;
    await apply(dialog);
    await eventually(() =>
      expect(resolutions).toEqual([
        { strategy: 'manual', fields: { notes: { source: 'custom', value: 'Fasting from 8pm\nNo food after' } } },
      ]),
    );
  });

  it('Cancel closes the dialog without sending anything', async () => {
    const { worker, resolutions } = conflictWorker(conflict());
    const el = await panel(worker);
    const dialog = await openDialog(el);
    buttonByText(shadow(dialog), 'Cancel').click();
    await settle(el);
    expect(dialogOf(el).open).toBe(false);
    expect(resolutions).toHaveLength(0);
  });

  it('names who made the server’s version when the server says, so the person can be asked', async () => {
    const el = await panel(conflictWorker(conflict({ serverEditedBy: { id: 4, name: 'Dr Priya Patel' } })).worker);
    const dialog = await openDialog(el);
    expect(text(shadow(dialog).querySelector('#explanation'))).toMatch(
      /^It was changed on this tablet \(.+\) and, since, in another edit by Dr Priya Patel on the server \(.+\)\.$/,
    );
    const deleted = await panel(
      conflictWorker(conflict({ conflictType: 'deleted', serverEditedBy: { id: 4, name: 'Dr Priya Patel' } })).worker,
    );
    expect(text(shadow(await openDialog(deleted)).querySelector('#explanation'))).toBe(
      'Dr Priya Patel deleted this record on the server after it was changed on this tablet.',
    );
  });

  it('last write wins names which edit is newer by when it was made on each device', async () => {
    const local = Date.parse('2026-11-25T10:42:00Z');
    const c = conflict({ localTimestamp: local, serverEditedAt: Date.parse('2026-11-25T10:39:00Z') });
    // The server received the other edit after ours: by the server's clock it would look newer.
    c.serverData = { ...c.serverData, updatedAt: '2026-11-25T10:50:00.000Z' };
    const { worker, resolutions } = conflictWorker(c);
    const el = await panel(worker);
    const dialog = await openDialog(el);
    const t = (ms: number) => formatTime(new Date(ms).toISOString());
    expect(text(shadow(dialog).querySelector('[data-testid="last-write-sentence"]'))).toBe(
      `Your edit (${t(local)} on this tablet) is newer than the other edit (${t(Date.parse('2026-11-25T10:39:00Z'))}, when it was made).`,
    );
    await pickStrategy(dialog, 'last_write_wins');
    expect(text(shadow(dialog).querySelector('.summary'))).toContain('Your edit is the newer one');
    await apply(dialog);
    await eventually(() => expect(resolutions).toEqual([{ strategy: 'last_write_wins' }]));
  });
});

describe('<sync-engine-panel> and a held double booking', () => {
  const at = (h: number, m: number) => new Date(2026, 10, 25, h, m).toISOString();
  const rexVisit = {
    id: 77,
    title: 'Checkup — Rex',
    type: 'checkup',
    date: at(14, 30),
    durationMinutes: '30',
    status: 'scheduled',
    notes: null,
    petId: 9,
    practitionerId: 2,
    clientId: 5,
    createdAt: '2026-11-24T16:05:00.000Z',
  };
  /** This tablet booked Bella with Dr Vet at 14:45; Rex was there first. */
  const heldCreate = heldDoubleBooking(rexVisit);
  /** This tablet moved Bella's existing visit (#300, 16:00) onto Rex's time. */
  const heldUpdate = conflict({
    id: 5,
    operationId: 50,
    entityId: 300,
    localOperation: 'update',
    conflictType: 'double_booking',
    localData: { date: at(14, 45) },
    serverData: {
      ...heldCreate.localData,
      id: 300,
      date: at(16, 0),
      durationMinutes: '30',
      clientId: 6,
      version: 2,
      updatedAt: '2026-11-25T07:00:00.000Z',
    },
    affectedFields: ['date'],
    baseVersion: 2,
    serverVersion: 2,
    clashes: [{ reason: 'practitioner', appointment: rexVisit }],
  });
  const names: Record<string, Record<string, string>> = {
    petId: { 9: 'Rex', 11: 'Bella' },
    practitionerId: { 2: 'Dr Vet' },
    clientId: { 5: 'Ada Owner', 6: 'Ben Owner' },
    petOwner: { 9: 'Ada Owner', 11: 'Ben Owner' },
  };
  const describeValue = (field: string, value: unknown) => names[field]?.[String(value)] ?? null;

  async function bookingPanel(record: ConflictRecord) {
    const { worker, resolutions } = conflictWorker(record);
    worker.handlers.GET_OPERATIONS = () => [operation({ id: record.operationId, status: 'conflict', userId: 1 })];
    const el = await mount(new SyncEnginePanel(), {
      services: fakeServices(worker, { now: () => Date.parse('2026-11-25T10:06:00Z') }),
      describeValue,
      names: { record: async () => null, person: (id: number) => (id === 1 ? 'Maya Chen' : null) },
    });
    await settle(el);
    return { el, worker, resolutions };
  }

  const strategies = (dialog: ConflictResolutionDialog) =>
    [...shadow(dialog).querySelectorAll('label.strategy strong')].map((s) => text(s));

  it('lists it like any conflict, saying what it overlaps', async () => {
    const { el } = await bookingPanel(heldCreate);
    const row = shadow(el).querySelector('li.conflict') as HTMLElement;
    expect(text(row)).toContain('New appointment “Checkup — Bella” (not on the server yet)');
    expect(text(row)).toContain('Double booking: overlaps “Checkup — Rex”');
    expect(text(row)).toContain(formatTimeRange(rexVisit.date, 30));
  });

  it('shows my booking beside the one it overlaps, with names, times and who booked', async () => {
    const { el } = await bookingPanel(heldCreate);
    const dialog = await openDialog(el);
    const view = shadow(dialog).querySelector('[data-testid="double-booking"]') as HTMLElement;
    const [mine, theirs] = [...view.querySelectorAll('.booking')].map((b) => text(b));
    expect(mine).toContain('Checkup — Bella');
    expect(mine).toContain(formatTimeRange(at(14, 45), 30));
    expect(mine).toContain('Bella');
    expect(mine).toContain('Ben Owner'); // from the pet: a new booking has no clientId yet
    expect(mine).toContain('Dr Vet');
    expect(mine).toContain('On this tablet by Maya Chen');
    expect(theirs).toContain('Checkup — Rex');
    expect(theirs).toContain('Same practitioner');
    expect(theirs).toContain(formatTimeRange(rexVisit.date, 30));
    expect(theirs).toContain('Ada Owner');
    expect(theirs).toContain('On the server since');
    // No field table, and a new booking has nothing to undo.
    expect(shadow(dialog).querySelector('table')).toBeNull();
    expect(strategies(dialog)).toEqual(['Move mine', 'Keep both', 'Cancel mine']);
  });

  it('Keep both and Cancel mine send their strategies', async () => {
    for (const strategy of ['keep_both', 'cancel_mine'] as const) {
      const { el, resolutions } = await bookingPanel(heldCreate);
      const dialog = await openDialog(el);
      await pickStrategy(dialog, strategy);
      await apply(dialog);
      await eventually(() => expect(resolutions).toEqual([{ strategy }]));
      document.body.replaceChildren();
    }
  });

  it('Move mine opens the booking form on the held booking instead of resolving', async () => {
    const { el, resolutions } = await bookingPanel(heldCreate);
    const paths: string[] = [];
    el.addEventListener('navigate', (e) => paths.push(e.detail.path));
    const dialog = await openDialog(el);
    await pickStrategy(dialog, 'move');
    buttonByText(shadow(dialog), 'Choose a new time…').click();
    await settle(el);
    expect(paths).toEqual(['/appointments/temp_appt_held/move?conflict=4']);
    expect(dialogOf(el).open).toBe(false);
    expect(resolutions).toEqual([]);
  });

  it('a held change of an existing booking can also be undone, and shows the time before it', async () => {
    const { el, resolutions } = await bookingPanel(heldUpdate);
    const dialog = await openDialog(el);
    expect(strategies(dialog)).toEqual(['Move mine', 'Keep both', 'Cancel mine', 'Undo my change']);
    const mine = text(shadow(dialog).querySelector('.booking.mine'));
    expect(mine).toContain('Changed on this tablet by Maya Chen');
    expect(mine).toContain(`Before your change: `);
    expect(mine).toContain(formatTimeRange(at(16, 0), 30));
    expect(mine).toContain('Ben Owner');
    await pickStrategy(dialog, 'server_wins');
    expect(text(shadow(dialog).querySelector('.summary'))).toContain('goes back to how it is on the server');
    await apply(dialog);
    await eventually(() => expect(resolutions).toEqual([{ strategy: 'server_wins' }]));
  });
});

/** Names on a shared tablet: Maya Chen (3) is signed in; Riley Ortiz (7) made changes here and signed out. */
const sharedTabletNames = {
  record: async () => null,
  person: (userId: number) => ({ 3: 'Maya Chen', 7: 'Riley Ortiz' })[userId] ?? null,
  waitsFor: (userId: number | null) => (userId === 3 ? null : 'Riley Ortiz'),
  mayDecide: (userId: number | null) => userId === 3,
};

describe('<sync-engine-panel>: another person’s held or failed change on a shared tablet', () => {
  /** Maya Chen (3) is signed in; Riley Ortiz (7) made changes here and signed out. */
  const names = sharedTabletNames;

  async function sharedPanel(worker: FakeWorker) {
    const el = await mount(new SyncEnginePanel(), {
      services: fakeServices(worker, { now: () => Date.parse('2026-11-25T10:06:00Z') }),
      names,
    });
    await settle(el);
    return el;
  }

  it('shows another person’s failed change as theirs, without Retry and Discard; mine keeps them', async () => {
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, failed: 2, failedOfOthers: 1 } }),
      GET_OPERATIONS: () => [
        operation({ id: 7, userId: 3 }),
        operation({ id: 8, userId: 7, data: { title: 'Theirs' } }),
      ],
    });
    const el = await sharedPanel(worker);
    const mine = shadow(el).querySelector('li[data-operation-id="7"]') as HTMLElement;
    const theirs = shadow(el).querySelector('li[data-operation-id="8"]') as HTMLElement;
    expect([...mine.querySelectorAll('button')].map(text)).toEqual(['Retry', 'Discard']);
    expect(theirs.querySelectorAll('button')).toHaveLength(0);
    expect(theirs.classList.contains('theirs')).toBe(true); // amber, as waiting work: not a red call to act
    expect(text(theirs.querySelector('[data-testid="theirs-note"]'))).toBe(
      'Made by Riley Ortiz: waits for them to sign in. Only they may retry or discard it.',
    );
  });

  it('another person’s conflict offers View… (no Resolve…), and the dialog shows whose it is with no way to apply', async () => {
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, conflicts: 1, conflictsOfOthers: 1 } }),
      GET_OPERATIONS: () => [operation({ id: 10, userId: 7, status: 'conflict', lastError: null })],
      GET_CONFLICTS: () => [conflict()],
    });
    const el = await sharedPanel(worker);
    const item = shadow(el).querySelector('li.conflict') as HTMLElement;
    expect(text(item)).toContain('Made by Riley Ortiz: waits for them to sign in. Only they may resolve it.');
    expect([...item.querySelectorAll('button')].map(text)).toEqual(['View…']);
    buttonByText(item, 'View…').click();
    await eventually(() => expect(dialogOf(el)?.open).toBe(true), 5_000);
    const dialog = dialogOf(el);
    await dialog.updateComplete;
    expect(text(shadow(dialog).querySelector('[data-testid="held-for"]'))).toContain(
      'Made by Riley Ortiz: it waits for them to sign in on this tablet. Only they may decide how to resolve it',
    );
    expect(shadow(dialog).querySelectorAll('input[name="strategy"]')).toHaveLength(0);
    expect([...shadow(dialog).querySelectorAll('footer button')].map(text)).toEqual(['Close']);
    // The values are still there to read.
    expect(text(shadow(dialog).querySelector('tr[data-field="title"]'))).toContain('Checkup — Rex (local)');
    buttonByText(shadow(dialog), 'Close').click();
    await settle(el);
    expect(dialogOf(el).open).toBe(false);
    expect(worker.sentOfType('RESOLVE_CONFLICT')).toHaveLength(0);
  });

  it('the figures add up to the queue: Pending says what it leaves out, Failed and Conflicts whose they are', async () => {
    const worker = new FakeWorker({
      GET_STATE: () =>
        syncState({
          stats: {
            ...STATS,
            pending: 5,
            waitingForOthers: 2,
            waitingForChanges: 1,
            failed: 2,
            failedOfOthers: 1,
            conflicts: 1,
          },
        }),
      GET_OPERATIONS: () => [
        operation({ id: 1, userId: 3, status: 'pending', lastError: null }),
        operation({ id: 2, userId: 3, status: 'pending', lastError: null }),
        operation({
          id: 3,
          userId: 3,
          status: 'pending',
          lastError: null,
          waitsFor: { operationId: 4, reason: 'record' },
        }),
        operation({ id: 4, userId: 7, status: 'pending', lastError: null }),
        operation({ id: 5, userId: 7, status: 'pending', lastError: null }),
        operation({ id: 6, userId: 3 }),
        operation({ id: 8, userId: 7 }),
        operation({ id: 9, userId: 3, status: 'conflict', lastError: null }),
      ],
    });
    const el = await sharedPanel(worker);
    const root = shadow(el);
    expect(text(root.querySelector('[data-testid="queue-pending"]'))).toBe('2');
    expect(text(root.querySelector('[data-testid="queue-pending-note"]'))).toBe(
      '+2 waiting for Riley Ortiz, +1 waiting for another change',
    );
    expect(text(root.querySelector('[data-testid="waiting-count"]'))).toBe('(5)');
    expect(text(root.querySelector('[data-testid="queue-failed"]'))).toBe('2');
    expect(text(root.querySelector('[data-testid="queue-failed-note"]'))).toBe('Of these, 1 by Riley Ortiz');
    // Mine only: no note.
    expect(text(root.querySelector('[aria-labelledby="queue-heading"] dl'))).not.toContain('Of these, 0');
    expect(root.querySelectorAll('[aria-labelledby="queue-heading"] dd.note')).toHaveLength(2);
  });

  it('nothing of Riley’s reads as mine: whose the last sync was, who resolved each conflict, Completed is the tablet’s', async () => {
    const at = Date.parse('2026-11-25T10:00:00Z');
    const worker = new FakeWorker({
      GET_STATE: () =>
        syncState({
          stats: { ...STATS, completed: 4 },
          lastActivity: syncResult({ pushed: 4, pulled: 2, finishedAt: at, trigger: 'manual', userId: 7 }),
          lastResult: syncResult({ pushed: 4, pulled: 2, finishedAt: at, trigger: 'manual', userId: 7 }),
        }),
      GET_CONFLICTS: () => [
        conflict({ id: 1, resolved: true, resolvedAt: at, resolution: 'server_wins:discard', resolvedBy: 7 }),
        conflict({ id: 2, resolved: true, resolvedAt: at - 1, resolution: 'client_wins:sent', resolvedBy: 3 }),
        conflict({ id: 3, resolved: true, resolvedAt: at - 2, resolution: 'server_wins:discard' }),
      ],
    });
    const el = await sharedPanel(worker);
    const root = shadow(el);
    expect(text(root.querySelector('#result-heading'))).toBe('Last sync (Riley Ortiz’s, not yours)');
    expect([...root.querySelectorAll('[data-testid="resolved-how"]')].map(text)).toEqual([
      expect.stringMatching(/^Resolved by Riley Ortiz with Keep the server’s version/),
      expect.stringMatching(/^Resolved by you with /),
      expect.stringMatching(/^Resolved with /), // resolved before the tablet kept who did it
    ]);
    expect(root.querySelectorAll('[data-testid="recently-resolved"] button')).toHaveLength(0);
    const completed = [...root.querySelectorAll('dl.stats > div')].find(
      (d) => text(d.querySelector('dt')) === 'Completed',
    );
    expect(text(completed ?? null)).toContain('By everyone on this tablet');
    // My own sync says so.
    worker.emit({ type: 'SYNC_RESULT', result: syncResult({ pushed: 1, finishedAt: at + 1, userId: 3 }) });
    await eventually(() => expect(text(root.querySelector('#result-heading'))).toBe('Last sync (yours)'));
  });

  it('a refusal from the worker is shown with its reason', async () => {
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, failed: 1 } }),
      GET_OPERATIONS: () => [operation({ id: 7, userId: 3 })],
      RETRY_OPERATION: () => {
        throw new Error('This change was made by Riley Ortiz. Only Riley Ortiz may retry it');
      },
    });
    const el = await sharedPanel(worker);
    buttonByText(shadow(el).querySelector('li.failed') as HTMLElement, 'Retry').click();
    await eventually(() =>
      expect(text(shadow(el).querySelector('.banner.error'))).toContain('Only Riley Ortiz may retry it'),
    );
  });
});

describe('<sync-engine-panel>: my change that waits for another change first', () => {
  /** Maya Chen (3) is signed in; Riley Ortiz (7) registered a pet here and signed out. */
  const names = sharedTabletNames;
  const newPet = (overrides: Partial<QueuedOperation> = {}) =>
    operation({
      id: 20,
      entityType: 'pets',
      entityId: 'temp_pet_biscuit',
      tempId: 'temp_pet_biscuit',
      data: { name: 'Biscuit', species: 'Dog', ownerId: 12 },
      userId: 7,
      status: 'pending',
      lastError: null,
      attempts: 0,
      ...overrides,
    });
  const booking = (overrides: Partial<QueuedOperation> = {}) =>
    operation({
      id: 21,
      data: { title: 'First visit — Biscuit', petId: 'temp_pet_biscuit' },
      userId: 3,
      status: 'pending',
      lastError: null,
      attempts: 0,
      waitsFor: { operationId: 20, reason: 'reference' },
      ...overrides,
    });

  async function rowOf(ops: QueuedOperation[], id: number) {
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, pending: ops.length } }),
      GET_OPERATIONS: () => ops,
    });
    const el = await mount(new SyncEnginePanel(), {
      services: fakeServices(worker, { now: () => Date.parse('2026-11-25T10:06:00Z') }),
      names,
    });
    await settle(el);
    return shadow(el).querySelector(`li[data-operation-id="${id}"]`) as HTMLElement;
  }

  it("names another person's new pet it waits for, and who must sign in", async () => {
    const row = await rowOf([newPet(), booking()], 21);
    expect(text(row.querySelector('.badge'))).toBe('Waiting for Riley Ortiz to sign in');
    expect(text(row.querySelector('[data-testid="waits-for"]'))).toBe(
      'Waits for Riley Ortiz’s new pet “Biscuit” to be sent: it goes when Riley Ortiz signs in and syncs.',
    );
    expect(row.querySelectorAll('button')).toHaveLength(0);
    // My change of a record behind Riley's earlier change of it.
    const theirs = operation({
      id: 30,
      operation: 'update',
      entityType: 'pets',
      entityId: 5,
      userId: 7,
      status: 'pending',
    });
    const mine = operation({
      id: 31,
      operation: 'update',
      entityType: 'pets',
      entityId: 5,
      userId: 3,
      status: 'pending',
      waitsFor: { operationId: 30, reason: 'record' },
    });
    expect(text((await rowOf([theirs, mine], 31)).querySelector('[data-testid="waits-for"]'))).toBe(
      'Waits for Riley Ortiz’s earlier change to this pet to be sent: it goes when Riley Ortiz signs in and syncs.',
    );
  });

  it('names my own held new pet, and what a discard of it would do', async () => {
    const failedPet = newPet({
      userId: 3,
      status: 'failed',
      retryable: false,
      lastError: { code: 'VALIDATION', message: 'species: Species is required' },
    });
    const row = await rowOf([failedPet, booking()], 21);
    expect(text(row.querySelector('.badge'))).toBe('Waiting for a retry');
    expect(text(row.querySelector('[data-testid="waits-for"]'))).toBe(
      'Waits for your new pet “Biscuit”, which failed: it goes once you retry it and it is sent (Failed changes, above). If you discard it, this change fails too.',
    );
    const conflicted = await rowOf([newPet({ userId: 3, status: 'conflict' }), booking()], 21);
    expect(text(conflicted.querySelector('[data-testid="waits-for"]'))).toBe(
      'Waits for your new pet “Biscuit”, held by a conflict: it goes once you resolve the conflict (Conflicts, below).',
    );
  });

  it('along a chain: my new pet waits for the other person’s new client, so my booking goes when they sign in', async () => {
    const client = operation({
      id: 19,
      entityType: 'users',
      entityId: 'temp_user_nora',
      data: { name: 'Nora New', role: 'CLIENT' },
      userId: 7,
      status: 'pending',
      lastError: null,
    });
    const myPet = newPet({ userId: 3, waitsFor: { operationId: 19, reason: 'reference' } });
    const row = await rowOf([client, myPet, booking()], 21);
    expect(text(row.querySelector('.badge'))).toBe('Waiting for Riley Ortiz to sign in');
    expect(text(row.querySelector('[data-testid="waits-for"]'))).toBe(
      'Waits for your new pet “Biscuit” to be sent: it goes when Riley Ortiz signs in and syncs.',
    );
    const petRow = await rowOf([client, myPet, booking()], 20);
    expect(text(petRow.querySelector('[data-testid="waits-for"]'))).toBe(
      'Waits for Riley Ortiz’s new client “Nora New” to be sent: it goes when Riley Ortiz signs in and syncs.',
    );
  });

  it('a booking whose new pet was discarded before it was sent fails saying so, not "no pet with id temp_…"', async () => {
    const failed = booking({
      status: 'failed',
      retryable: false,
      waitsFor: undefined,
      lastError: { code: 'PET_NOT_FOUND', message: 'petId: no pet with id temp_pet_biscuit in this practice' },
    });
    const row = await rowOf([failed], 21);
    expect(text(row)).toContain(
      'This appointment is for a new pet that the server does not have: it was discarded or deleted before this appointment was sent. Discard this appointment, and make it again with a pet that exists. (PET_NOT_FOUND)',
    );
    expect(text(row)).not.toContain('temp_pet_biscuit');
    expect(text(row)).not.toContain('no longer exists');
    // A real pet that is gone keeps the server's words and the hint.
    const gone = await rowOf(
      [
        booking({
          status: 'failed',
          data: { title: 'Rex', petId: 44 },
          lastError: { code: 'PET_NOT_FOUND', message: 'petId: no pet with id 44 in this practice' },
        }),
      ],
      21,
    );
    expect(text(gone)).toContain('petId: no pet with id 44 in this practice (PET_NOT_FOUND)');
    expect(text(gone)).toContain('The pet no longer exists on the server.');
  });
});

describe('the empty waiting list', () => {
  it('says every change reached the server only when none is held by a conflict or a failure', () => {
    expect(nothingWaiting(0, 0)).toBe('Nothing is waiting: every change made here reached the server.');
    expect(nothingWaiting(0, 1)).toBe(
      'Nothing else is waiting to be sent. Not on the server yet: 1 conflict (see Conflicts), until it is dealt with.',
    );
    expect(nothingWaiting(2, 1)).toContain('1 conflict (see Conflicts) and 2 failed changes (above), until they are');
    expect(nothingWaiting(1, 0)).not.toContain('every change made here reached the server');
  });
});
