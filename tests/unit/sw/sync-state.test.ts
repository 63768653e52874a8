/**
 * What the worker says about the running sync agrees with the events it sent, while the browser
 * is slow to release the sync's Web Lock (a loaded tablet): a page that heard a run's result and
 * asks for the state is not told the run still goes on, and a sync asked for then gets a run of
 * its own instead of the finished run's failure.
 */
import { describe, expect, it, vi } from 'vitest';
import { acceptAll, createTestDevice, NORTHSIDE_STAFF, NOTHING_NEW, type TestDevice } from './device.ts';
import { TransportError } from '../../../sw/sync/transport.ts';
import type { SyncState } from '../../../src/protocol/index.ts';

/** Web Locks as the worker uses them (one holder at a time), except that a release waits for `release()`. */
function slowlyReleasedLock() {
  let tail: Promise<unknown> = Promise.resolve();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  function withLock<T>(work: () => Promise<T>): Promise<T> {
    const held = tail.then(work);
    const freed = held.then(
      () => released,
      () => released,
    );
    tail = freed;
    return freed.then(() => held);
  }
  return { withLock, release };
}

const expiredSession = () => new TransportError('auth', { code: 'UNAUTHENTICATED', message: 'no session' }, 401);

async function oneQueuedWrite(device: TestDevice): Promise<void> {
  await device.signIn(NORTHSIDE_STAFF);
  expect((await device.fetch('POST', '/api/users', { name: 'Eve Client', role: 'CLIENT' })).status).toBe(201);
}

const heard = (device: TestDevice) => device.events.map((e) => e.type);

describe('the sync state a page asks for, while the lock is released', () => {
  it('a run stopped by an expired session: "syncing" while it pushes, not after its result (the indicator shows "Sign in to sync")', async () => {
    const lock = slowlyReleasedLock();
    let duringPush: SyncState | null = null;
    const device: TestDevice = await createTestDevice(
      {
        push: async () => {
          duringPush = await device.ask({ type: 'GET_STATE' });
          throw expiredSession();
        },
        pull: async () => {
          throw new Error('must not pull');
        },
      },
      { withLock: lock.withLock },
    );
    await oneQueuedWrite(device);
    // The state as asked the moment the result goes out (the run still counts the queue after it).
    const atResult: Promise<SyncState>[] = [];
    const record = device.events.push.bind(device.events);
    device.events.push = (...events) => {
      if (events.some((e) => e.type === 'SYNC_RESULT')) atResult.push(device.ask({ type: 'GET_STATE' }));
      return record(...events);
    };

    const run = device.engine.sync('background-sync');
    await vi.waitFor(() => expect(heard(device).slice(-2)).toEqual(['SYNC_RESULT', 'QUEUE_STATS']));
    expect(duringPush).toMatchObject({ isSyncing: true, progress: { phase: 'push', processed: 0, total: 1 } });
    expect(await Promise.all(atResult)).toMatchObject([{ isSyncing: false, progress: null }]);
    // The page heard the result and asks again (it does after "unauthenticated"): the run is over.
    expect(await device.ask({ type: 'GET_STATE' })).toMatchObject({
      isSyncing: false,
      progress: null,
      authRequired: true,
      stats: { pending: 1 },
    });

    lock.release();
    expect((await run).error?.code).toBe('UNAUTHENTICATED');
    expect(await device.ask({ type: 'GET_STATE' })).toMatchObject({ isSyncing: false, progress: null });
  });

  it("a sync asked for after a run ended gets a run of its own, not that run's failure", async () => {
    const lock = slowlyReleasedLock();
    let signedIn = false;
    let pushes = 0;
    const device = await createTestDevice(
      {
        push: async (request) => {
          pushes++;
          if (!signedIn) throw expiredSession();
          return acceptAll(request);
        },
        pull: async () => NOTHING_NEW,
      },
      { withLock: lock.withLock },
    );
    await oneQueuedWrite(device);

    const first = device.engine.sync('background-sync');
    // The run's last event is its queue count; then it ends, but its lock is not released yet.
    await vi.waitFor(() => expect(heard(device).slice(-2)).toEqual(['SYNC_RESULT', 'QUEUE_STATS']));
    await new Promise((resolve) => setTimeout(resolve, 0));

    signedIn = true;
    const second = device.engine.sync('login');
    expect(second).not.toBe(first);
    lock.release();
    expect((await first).error?.code).toBe('UNAUTHENTICATED');
    expect(await second).toMatchObject({ error: null, pushed: 1 });
    expect(pushes).toBe(2);
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ pending: 0, inFlight: 0 });
  });
});
