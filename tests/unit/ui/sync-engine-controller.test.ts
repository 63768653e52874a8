import { describe, expect, it } from 'vitest';
import { SyncEngineController } from '../../../src/controllers/sync-engine-controller.ts';
import { FakeHost, FakeWorker, conflict, eventually, syncResult as result, syncState } from './fakes.ts';

function setup(worker = new FakeWorker()) {
  const host = new FakeHost();
  const engine = new SyncEngineController(host, worker.client());
  return { host, engine, worker };
}

describe('SyncEngineController', () => {
  it('loads the state and the conflicts when the host connects, and unsubscribes when it disconnects', async () => {
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ lastResult: result(), lastPulledAt: 900, authRequired: true }),
      GET_CONFLICTS: () => [conflict(), conflict({ id: 2, resolved: true, resolution: 'server_wins' })],
    });
    const { host, engine } = setup(worker);
    host.connect();
    expect(worker.listenerCount).toBe(1);
    await eventually(() => expect(engine.conflicts).toHaveLength(2));
    await eventually(() => expect(engine.lastResult?.pulled).toBe(4));
    expect(engine.unresolvedConflicts.map((c) => c.id)).toEqual([1]);
    expect(engine.authRequired).toBe(true);
    expect(engine.lastPulledAt).toBe(900);
    host.disconnect();
    expect(worker.listenerCount).toBe(0);
  });

  it('follows progress events and settles on the result', async () => {
    const { host, engine, worker } = setup();
    host.connect();
    worker.emit({ type: 'SYNC_STARTED', trigger: 'background-sync' });
    expect(engine.isSyncing).toBe(true);
    worker.emit({ type: 'SYNC_PROGRESS', progress: { phase: 'push', processed: 3, total: 10, percentage: 30 } });
    expect(engine.progress).toEqual({ phase: 'push', processed: 3, total: 10, percentage: 30 });
    const before = host.updates;
    worker.emit({ type: 'SYNC_RESULT', result: result({ pushed: 10 }) });
    expect(engine.isSyncing).toBe(false);
    expect(engine.progress).toBeNull();
    expect(engine.lastResult?.pushed).toBe(10);
    expect(host.updates).toBeGreaterThan(before);
  });

  it('a quiet run heard while the state was on its way keeps the last sync that did something', async () => {
    // A page opened as a run ends: the state read says "the last run that did something pulled 40",
    // and meanwhile a run that found nothing new is heard. The Sync tab showed "Nothing has been
    // sent or received" (the answer's activity was dropped as older, the quiet run carries none).
    let answer: (() => void) | undefined;
    const activity = result({ pushed: 0, pulled: 40, finishedAt: 1_000 });
    const worker = new FakeWorker({
      GET_STATE: () =>
        new Promise((resolve) => {
          answer = () => resolve(syncState({ lastResult: activity, lastActivity: activity, lastPulledAt: 1_000 }));
        }),
    });
    const { host, engine } = setup(worker);
    host.connect();
    await eventually(() => expect(answer).toBeDefined());
    const quiet = result({ pushed: 0, pulled: 0, finishedAt: 2_000 });
    worker.emit({ type: 'SYNC_RESULT', result: quiet });
    answer?.();
    await eventually(() => expect(engine.loaded).toBe(true));
    expect(engine.lastResult).toEqual(quiet);
    expect(engine.lastActivity).toEqual(activity);
    expect(engine.lastPulledAt).toBe(2_000);
  });

  it('sync() sends SYNC_NOW and keeps the result; a 401 result asks the worker whether sign-in is needed', async () => {
    const worker = new FakeWorker({
      SYNC_NOW: () => result({ error: { code: 'UNAUTHENTICATED', message: 'Sign in' } }),
      GET_STATE: () => syncState({ authRequired: worker.sentOfType('SYNC_NOW').length > 0 }),
    });
    const { host, engine } = setup(worker);
    host.connect();
    const promise = engine.sync();
    expect(engine.isSyncing).toBe(true);
    const r = await promise;
    expect(r?.error?.code).toBe('UNAUTHENTICATED');
    expect(worker.sentOfType('SYNC_NOW')).toHaveLength(1);
    expect(engine.isSyncing).toBe(false);
    await eventually(() => expect(engine.authRequired).toBe(true));
  });

  it('a run before the worker knew the session (no 401 from the server) does not ask to sign in', async () => {
    const worker = new FakeWorker();
    const { host, engine } = setup(worker);
    host.connect();
    worker.emit({
      type: 'SYNC_RESULT',
      result: result({ error: { code: 'UNAUTHENTICATED', message: 'Sign in to sync' } }),
    });
    await eventually(() => expect(worker.sentOfType('GET_STATE').length).toBeGreaterThanOrEqual(2));
    expect(engine.authRequired).toBe(false);
  });

  it('sync() reports a worker failure as an error, not a throw', async () => {
    const worker = new FakeWorker({
      SYNC_NOW: () => {
        throw new Error('boom');
      },
    });
    const { host, engine } = setup(worker);
    host.connect();
    expect(await engine.sync()).toBeNull();
    expect(engine.error).toContain('boom');
    expect(engine.isSyncing).toBe(false);
  });

  it('adds and resolves conflicts from events, and resolveConflict() sends the resolution', async () => {
    let conflicts = [conflict()];
    const worker = new FakeWorker({
      GET_CONFLICTS: () => conflicts,
      RESOLVE_CONFLICT: () => {
        conflicts = [conflict({ resolved: true, resolution: 'client_wins' })];
        return { queuedOperationId: 11 };
      },
    });
    const { host, engine } = setup(worker);
    host.connect();
    await eventually(() => expect(engine.unresolvedConflicts).toHaveLength(1));
    worker.emit({ type: 'CONFLICT_ADDED', conflict: conflict({ id: 5 }) });
    expect(engine.unresolvedConflicts.map((c) => c.id)).toEqual([1, 5]);

    expect(await engine.resolveConflict(1, { strategy: 'client_wins' })).toBe(true);
    expect(worker.sentOfType('RESOLVE_CONFLICT')[0]).toEqual({
      type: 'RESOLVE_CONFLICT',
      conflictId: 1,
      resolution: { strategy: 'client_wins' },
    });
    expect(engine.conflicts.find((c) => c.id === 1)?.resolved).toBe(true);
  });

  it('AUTH_REQUIRED sets authRequired; a clean result clears it', () => {
    const { host, engine, worker } = setup();
    host.connect();
    worker.emit({ type: 'AUTH_REQUIRED' });
    expect(engine.authRequired).toBe(true);
    worker.emit({ type: 'SYNC_RESULT', result: result() });
    expect(engine.authRequired).toBe(false);
  });
});
