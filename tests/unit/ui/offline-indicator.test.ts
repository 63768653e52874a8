// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { OfflineIndicator, QUIET_SYNC_MS, indicatorState } from '../../../src/components/offline-indicator.ts';
import { FakeWorker, STATS, conflict, eventually, fakeServices, syncResult, syncState } from './fakes.ts';
import { buttonByText, fakeNetwork, mount, settle, shadow, text } from './dom.ts';

afterEach(() => document.body.replaceChildren());

async function indicator(worker: FakeWorker, online = true) {
  const network = fakeNetwork(online);
  const el = await mount(new OfflineIndicator(), { services: fakeServices(worker, { network }) });
  await settle(el);
  return {
    el,
    network,
    card: () => shadow(el).querySelector('.card') as HTMLElement,
    live: () => shadow(el).querySelector('[aria-live]'),
  };
}

describe('indicatorState', () => {
  const base = { online: true, syncing: false, authRequired: false, pending: 0, waiting: 0, failed: 0, conflicts: 0 };
  it('is one value in a fixed priority', () => {
    expect(indicatorState(base)).toBe('hidden');
    expect(indicatorState({ ...base, pending: 1 })).toBe('pending');
    expect(indicatorState({ ...base, waiting: 1 })).toBe('pending');
    expect(indicatorState({ ...base, pending: 1, conflicts: 1 })).toBe('attention');
    expect(indicatorState({ ...base, pending: 1, authRequired: true })).toBe('auth');
    expect(indicatorState({ ...base, pending: 1, syncing: true })).toBe('syncing');
    expect(indicatorState({ ...base, online: false, syncing: true })).toBe('offline');
  });
});

describe('<offline-indicator>', () => {
  it('hides itself when online with nothing pending, but keeps its live region', async () => {
    const { card, live } = await indicator(new FakeWorker());
    expect(card().hidden).toBe(true);
    expect(text(live())).toBe('All changes synced');
  });

  it('shows the pending count and a Sync Now button that asks the worker to sync', async () => {
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, pending: 1 } }),
      SYNC_NOW: () => ({
        pushed: 1,
        failed: 0,
        conflicts: 0,
        pulled: 0,
        durationMs: 5,
        finishedAt: 1,
        error: null,
        trigger: 'manual',
      }),
    });
    const { el, card, live } = await indicator(worker);
    expect(card().hidden).toBe(false);
    expect(text(shadow(el).querySelector('[data-testid="pending-count"]'))).toBe('1 pending');
    expect(text(live())).toContain('1 pending');
    buttonByText(shadow(el), 'Sync Now').click();
    await eventually(() => expect(worker.sentOfType('SYNC_NOW')).toHaveLength(1));
  });

  it('says Offline with the pending count and no Sync Now while offline', async () => {
    const worker = new FakeWorker({ GET_STATE: () => syncState({ stats: { ...STATS, pending: 2 } }) });
    const { el, card } = await indicator(worker, false);
    expect(card().dataset.state).toBe('offline');
    expect(text(card())).toContain('Offline');
    expect(text(card())).toContain('2 pending');
    expect([...shadow(el).querySelectorAll('button')].map((b) => text(b))).not.toContain('Sync Now');
  });

  it('follows the network: offline event, then back online', async () => {
    const worker = new FakeWorker();
    const { el, network, card } = await indicator(worker);
    network.navigator.onLine = false;
    network.events.dispatchEvent(new Event('offline'));
    await el.updateComplete;
    expect(card().dataset.state).toBe('offline');
    network.navigator.onLine = true;
    network.events.dispatchEvent(new Event('online'));
    await settle(el);
    expect(card().hidden).toBe(true);
  });

  it('shows progress while syncing and the conflict count with a way to review', async () => {
    const worker = new FakeWorker({ GET_CONFLICTS: () => [conflict()] });
    const { el, card } = await indicator(worker);
    expect(card().dataset.state).toBe('attention');
    expect(text(shadow(el).querySelector('[data-testid="conflict-count"]'))).toBe('1 conflict');
    expect(shadow(el).querySelector('a[href="/sync"]')).not.toBeNull();
    worker.emit({ type: 'SYNC_PROGRESS', progress: { phase: 'push', processed: 1, total: 4, percentage: 25 } });
    await el.updateComplete;
    expect(card().dataset.state).toBe('syncing');
    expect((shadow(el).querySelector('progress') as HTMLProgressElement).value).toBe(25);
    expect(text(card())).toContain('Sending changes');
  });

  it('does not ask for a decision about another person’s held or failed changes (only they may act on them)', async () => {
    const worker = new FakeWorker({
      GET_STATE: () =>
        syncState({ stats: { ...STATS, failed: 1, failedOfOthers: 1, conflicts: 1, conflictsOfOthers: 1 } }),
      GET_CONFLICTS: () => [conflict()],
    });
    const { el, card } = await indicator(worker);
    expect(card().hidden).toBe(true);
    expect(shadow(el).querySelector('[data-testid="conflict-count"]')).toBeNull();
    // A conflict of the person signed in still shows, counted apart from the other person's.
    worker.emit({
      type: 'QUEUE_STATS',
      stats: { ...STATS, failed: 1, failedOfOthers: 1, conflicts: 2, conflictsOfOthers: 1 },
    });
    await el.updateComplete;
    expect(card().dataset.state).toBe('attention');
    expect(text(shadow(el).querySelector('[data-testid="conflict-count"]'))).toBe('1 conflict');
    expect(text(card())).not.toContain('failed');
  });

  it('counts my changes that wait for another change apart: not synced, no Sync Now, a way to see why; it stays after a sync', async () => {
    // A booking of a pet someone else registered here: pending, but no sync of mine sends it yet.
    const stats = { ...STATS, pending: 2, waitingForOthers: 1, waitingForChanges: 1 };
    const worker = new FakeWorker({ GET_STATE: () => syncState({ stats }) });
    const { el, card, live } = await indicator(worker);
    expect(card().hidden).toBe(false);
    expect(card().dataset.state).toBe('pending');
    expect(text(shadow(el).querySelector('[data-testid="waiting-count"]'))).toBe('1 waiting');
    expect(shadow(el).querySelector('[data-testid="pending-count"]')).toBeNull();
    expect([...shadow(el).querySelectorAll('button')].map((b) => text(b))).not.toContain('Sync Now');
    expect(shadow(el).querySelector('a[href="/sync"]')?.textContent?.trim()).toBe('Details');
    expect(text(live())).toBe('Not synced, 1 waiting for another change');
    // A sync that could send nothing ends as it began: still waiting, never "All changes synced".
    worker.emit({ type: 'SYNC_STARTED', trigger: 'manual' });
    worker.emit({ type: 'SYNC_RESULT', result: syncResult({ pushed: 0, pulled: 0, trigger: 'manual' }) });
    worker.emit({ type: 'QUEUE_STATS', stats });
    await el.updateComplete;
    expect(card().dataset.state).toBe('pending');
    expect(text(live())).not.toContain('All changes synced');
  });

  it('on the Sync tab itself offers no link to it: neither Details nor Review', async () => {
    const stats = { ...STATS, pending: 1, waitingForChanges: 1 };
    const worker = new FakeWorker({ GET_STATE: () => syncState({ stats }) });
    const { el, card } = await indicator(worker);
    expect(shadow(el).querySelector('a[href="/sync"]')?.textContent?.trim()).toBe('Details');
    el.onSyncTab = true;
    await el.updateComplete;
    expect(card().dataset.state).toBe('pending');
    expect(shadow(el).querySelector('a[href="/sync"]')).toBeNull();
    worker.emit({ type: 'QUEUE_STATS', stats: { ...STATS, failed: 1 } });
    await el.updateComplete;
    expect(card().dataset.state).toBe('attention');
    expect(shadow(el).querySelector('a[href="/sync"]')).toBeNull();
    // Leaving the tab brings the way back.
    el.onSyncTab = false;
    await el.updateComplete;
    expect(shadow(el).querySelector('a[href="/sync"]')?.textContent?.trim()).toBe('Review');
  });

  it('asks to sign in when the worker reports AUTH_REQUIRED', async () => {
    const worker = new FakeWorker({ GET_STATE: () => syncState({ stats: { ...STATS, pending: 3 } }) });
    const { el, card } = await indicator(worker);
    worker.emit({ type: 'AUTH_REQUIRED' });
    await el.updateComplete;
    expect(text(card())).toContain('Sign in to sync');
    expect(shadow(el).querySelector('a[href="/signin"]')).not.toBeNull();
  });
});

describe('<offline-indicator> and background pulls', () => {
  it('stays hidden during a quick pull with nothing to send, and shows one that takes a while', async () => {
    // The first state read must be answered before the events below (a late "not syncing" answer would hide the
    // pull for good; on a loaded machine it can take longer than the mount's settling).
    let stateReads = 0;
    const worker = new FakeWorker({ GET_STATE: () => (stateReads++, syncState()) });
    const { el, card } = await indicator(worker);
    await eventually(() => expect(stateReads).toBeGreaterThan(0));
    await settle(el);
    worker.emit({ type: 'SYNC_STARTED', trigger: 'startup' });
    worker.emit({ type: 'SYNC_PROGRESS', progress: { phase: 'pull', processed: 100, total: 1100, percentage: 9 } });
    await el.updateComplete;
    expect(card().hidden).toBe(true);
    await eventually(() => expect(card().dataset.state).toBe('syncing'), QUIET_SYNC_MS + 5_000);
    expect(text(card())).toContain('Receiving updates');
    worker.emit({
      type: 'SYNC_RESULT',
      result: syncResult({ pushed: 0, pulled: 1100, durationMs: 1, finishedAt: 1, trigger: 'startup' }),
    });
    await el.updateComplete;
    expect(card().hidden).toBe(true);
  });
});
