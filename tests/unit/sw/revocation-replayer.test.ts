/**
 * Who may ask for the kept sign-outs to be sent, and what each asker is told: the page's `online`,
 * a Background Sync event, a sign-in, a retry (sw/worker/revocations.ts, revocationReplayer).
 */
import { describe, expect, it } from 'vitest';
import { revocationReplayer, type RetryTimers } from '../../../sw/worker/revocations.ts';

/** A pass the test ends by hand: `fail()` (network still away) or `send(n)`. */
function controlledPasses() {
  const passes: { send(n: number): void; fail(): void }[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const pass = () =>
    new Promise<number>((resolve, reject) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      passes.push({
        send: (n) => {
          running--;
          resolve(n);
        },
        fail: () => {
          running--;
          reject(new TypeError('Failed to fetch'));
        },
      });
    });
  return { pass, passes, mostAtOnce: () => mostAtOnce };
}

function fakeTimers(): RetryTimers & { pending: { callback: () => void; ms: number }[] } {
  const pending: { callback: () => void; ms: number }[] = [];
  return {
    pending,
    set: (callback, ms) => {
      const timer = { callback, ms };
      pending.push(timer);
      return timer;
    },
    clear: (handle) => void pending.splice(pending.indexOf(handle as (typeof pending)[number]), 1),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('revocationReplayer', () => {
  it('a Background Sync event that comes while a pass fails gets a pass of its own, and succeeds', async () => {
    const { pass, passes } = controlledPasses();
    const replay = revocationReplayer(pass, { timers: fakeTimers() });
    // The page's `online` reaches the worker first, while the worker's network is not back yet.
    const online = replay('online');
    const backgroundSync = replay('background sync');
    await settle();
    passes[0]!.fail();
    await expect(online).rejects.toThrow('Failed to fetch');
    await settle();
    expect(passes).toHaveLength(2);
    passes[1]!.send(1);
    // Background Sync is told "done", so Chromium does not wait minutes to fire it again.
    await expect(backgroundSync).resolves.toBeUndefined();
  });

  it('says when a pass delivered the kept sign-outs (the signed-out card then says the server was told), not when it failed or found none', async () => {
    const { pass, passes } = controlledPasses();
    const delivered: number[] = [];
    const replay = revocationReplayer(pass, { timers: fakeTimers(), onDelivered: (n) => delivered.push(n) });
    const offline = replay('sign-out');
    await settle();
    passes[0]!.fail();
    await expect(offline).rejects.toThrow();
    expect(delivered).toEqual([]);
    const online = replay('online');
    await settle();
    passes[1]!.send(1);
    await online;
    expect(delivered).toEqual([1]);
    const again = replay('worker start');
    await settle();
    passes[2]!.send(0);
    await again;
    expect(delivered).toEqual([1]);
  });

  it('runs one pass at a time: any number of askers during a pass share one more pass after it', async () => {
    const { pass, passes, mostAtOnce } = controlledPasses();
    const replay = revocationReplayer(pass, { timers: fakeTimers() });
    const first = replay('sign-out');
    const later = [replay('online'), replay('background sync'), replay('sign-in')];
    await settle();
    passes[0]!.send(0);
    await first;
    await settle();
    expect(passes).toHaveLength(2);
    passes[1]!.send(1);
    await Promise.all(later);
    expect(passes).toHaveLength(2);
    expect(mostAtOnce()).toBe(1);
  });

  it('a failed pass is tried again after 2 s, 4 s, ... up to the cap; a pass that sends stops the retries', async () => {
    const { pass, passes } = controlledPasses();
    const timers = fakeTimers();
    const replay = revocationReplayer(pass, { timers, firstRetryMs: 2_000, maxRetryMs: 5_000 });
    const waits: number[] = [];
    void replay('sign-out').catch(() => undefined);
    await settle();
    for (let i = 0; i < 3; i++) {
      passes[i]!.fail();
      await settle();
      expect(timers.pending).toHaveLength(1);
      const timer = timers.pending.shift()!;
      waits.push(timer.ms);
      timer.callback();
      await settle();
    }
    expect(waits).toEqual([2_000, 4_000, 5_000]);
    // The retry pass runs; the network comes back and Background Sync asks meanwhile.
    const backgroundSync = replay('background sync');
    passes[3]!.fail();
    await settle();
    expect(timers.pending).toHaveLength(1);
    passes[4]!.send(1);
    await backgroundSync;
    expect(timers.pending).toHaveLength(0);
    // The next failure starts from the first wait again.
    void replay('online').catch(() => undefined);
    await settle();
    passes[5]!.fail();
    await settle();
    expect(timers.pending.map((t) => t.ms)).toEqual([2_000]);
  });

  it('a replay asked for while the queue is still being built (Firefox: onSync from its constructor) starts after it', async () => {
    const sent: string[] = [];
    // Assigned after the replayer, as the Workbox queue is in sign-out-queue.ts.
    let queue: { name: string } | undefined;
    const replay = revocationReplayer(
      () => {
        if (!queue) throw new ReferenceError('queue is not built yet');
        sent.push(queue.name);
        return Promise.resolve(1);
      },
      { timers: fakeTimers() },
    );
    const asked = replay('background sync');
    queue = { name: 'smartdmv-sign-outs' };
    await asked;
    expect(sent).toEqual(['smartdmv-sign-outs']);
  });
});
