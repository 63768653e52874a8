// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { SyncEnginePanel } from '../../../src/components/sync-engine-panel.ts';
import type { ConflictResolutionDialog } from '../../../src/components/conflict-resolution-dialog.ts';
import type { ConflictRecord, Resolution } from '../../../src/protocol/index.ts';
import { FakeWorker, STATS, conflict, eventually, operation, syncState } from './fakes.ts';
import { buttonByText, fakeNetwork, mount, settle, shadow, text } from './dom.ts';

afterEach(() => document.body.replaceChildren());

async function panel(worker: FakeWorker) {
  const el = await mount(new SyncEnginePanel(), { client: worker.client(), networkEnvironment: fakeNetwork(), now: () => Date.parse('2026-11-25T10:06:00Z') });
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
      conflicts = conflicts.map((c) => (c.id === m.conflictId ? { ...c, resolved: true, resolution: m.resolution.strategy } : c));
      return { queuedOperationId: 99 };
    },
  });
  return { worker, resolutions };
}

async function openDialog(el: SyncEnginePanel): Promise<ConflictResolutionDialog> {
  buttonByText(shadow(el), 'Resolve…').click();
  await settle(el);
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
  it('shows the last result and the queue counters, and Sync Now sends SYNC_NOW', async () => {
    const worker = new FakeWorker({
      GET_STATE: () =>
        syncState({
          stats: { ...STATS, pending: 2, failed: 1, completed: 5 },
          lastResult: { pushed: 3, failed: 1, conflicts: 0, pulled: 12, durationMs: 1500, finishedAt: Date.parse('2026-11-25T10:00:00Z'), error: null, trigger: 'manual' },
        }),
      SYNC_NOW: () => ({ pushed: 2, failed: 0, conflicts: 0, pulled: 0, durationMs: 10, finishedAt: 2, error: null, trigger: 'manual' }),
    });
    const el = await panel(worker);
    const root = shadow(el);
    expect(text(root.querySelector('[data-testid="result-pushed"]'))).toBe('3');
    expect(text(root.querySelector('[data-testid="queue-pending"]'))).toBe('2');
    expect(text(root.querySelector('[data-testid="queue-failed"]'))).toBe('1');
    buttonByText(root, 'Sync Now').click();
    await eventually(() => expect(worker.sentOfType('SYNC_NOW')).toHaveLength(1));
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
    await eventually(() => expect(worker.sentOfType('RETRY_OPERATION')).toEqual([{ type: 'RETRY_OPERATION', operationId: 7 }]));
    await settle(el);
    buttonByText(shadow(el).querySelector('li.failed') as HTMLElement, 'Discard').click();
    await el.updateComplete;
    expect(worker.sentOfType('DISCARD_OPERATION')).toHaveLength(0); // asks first
    buttonByText(shadow(el).querySelector('li.failed') as HTMLElement, 'Confirm discard').click();
    await eventually(() => expect(worker.sentOfType('DISCARD_OPERATION')).toEqual([{ type: 'DISCARD_OPERATION', operationId: 7 }]));
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

  it.each(['server_wins', 'client_wins', 'last_write_wins'] as const)('applies %s without field choices', async (strategy) => {
    const { worker, resolutions } = conflictWorker(conflict());
    const el = await panel(worker);
    const dialog = await openDialog(el);
    await pickStrategy(dialog, strategy);
    await apply(dialog);
    await eventually(() => expect(resolutions).toEqual([{ strategy }]));
    await settle(el);
    expect(dialogOf(el).open).toBe(false);
    expect(text(shadow(el).querySelector('[data-testid="unresolved-count"]'))).toBe('(0 unresolved)');
  });

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
    await eventually(() => expect(resolutions).toEqual([{ strategy: 'merge', fields: { title: { source: 'local' } } }]));
  });

  it('manual goes field by field, with a typed value for a text field', async () => {
    const { worker, resolutions } = conflictWorker(conflict());
    const el = await panel(worker);
    const dialog = await openDialog(el);
    await pickStrategy(dialog, 'manual');
    const radios = [...shadow(dialog).querySelectorAll('tr[data-field="title"] input[type="radio"]')] as HTMLInputElement[];
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
        { strategy: 'manual', fields: { title: { source: 'custom', value: 'Checkup — Rex (agreed)' }, notes: { source: 'server' } } },
      ]),
    );
  });

  it('keeps the dialog open with the worker’s message when a resolution is refused', async () => {
    const worker = new FakeWorker({ GET_CONFLICTS: () => [conflict()], RESOLVE_CONFLICT: () => { throw new Error('Choose a value for: title'); } });
    const el = await panel(worker);
    const dialog = await openDialog(el);
    await pickStrategy(dialog, 'client_wins');
    await apply(dialog);
    await settle(el);
    expect(dialogOf(el).open).toBe(true);
    expect(text(shadow(dialogOf(el)).querySelector('.banner.error'))).toContain('Choose a value for: title');
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
});
