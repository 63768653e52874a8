/**
 * The pipelined drain in Chromium: the worker is stopped (CDP) while two batches are in flight,
 * one already applied by the server with its answer lost, one chosen and not yet sent. After the
 * restart every row reaches the server exactly once.
 */
import { expect, test, type Page, type Route } from '@playwright/test';
import { askWorker, signInDevice, waitForServiceWorkerControl } from './helpers.ts';
import { bookMany, expectServerAndReplicaAgree, titles } from './fault-helpers.ts';

const COUNT = 250; // batches of 100: three pushes

/** Records of one store of the worker's database, read from the page. */
function storeCount(page: Page, store: string): Promise<number> {
  return page.evaluate(
    (store) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('smartdmv-offline');
        open.onerror = () => reject(open.error!);
        open.onsuccess = () => {
          const req = open.result.transaction(store).objectStore(store).count();
          req.onsuccess = () => {
            open.result.close();
            resolve(req.result);
          };
          req.onerror = () => reject(req.error!);
        };
      }),
    store,
  );
}

test('a worker stopped with two batches in flight resends them after restart; the server keeps every row once', async ({
  context,
}) => {
  const page = await context.newPage();
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  await signInDevice(page);
  const title = `Pipeline ${Date.now()} `;

  await context.setOffline(true);
  // Each booking in a slot of its own (one pet twice at one time is a double booking).
  await bookMany(page, title, COUNT, '2027-01-04T08:00:00.000Z');

  // The second push reaches the server, which applies it; its answer never comes back.
  let pushes = 0;
  let held: Route | null = null;
  let restarted = false; // (unroute would wait for the held request)
  let secondApplied!: () => void;
  const secondReachedServer = new Promise<void>((resolve) => (secondApplied = resolve));
  await context.route('**/api/sync/push', async (route) => {
    pushes++;
    if (pushes !== 2 || restarted) return route.continue();
    await route.fetch();
    held = route;
    secondApplied();
  });
  await context.setOffline(false);
  await secondReachedServer;
  // The third batch is chosen and marked in flight while the second one waits for its answer.
  await expect.poll(() => storeCount(page, 'sync_batches'), { timeout: 10_000 }).toBe(2);

  const cdp = await context.newCDPSession(page);
  const statuses: string[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', (e) => statuses.push(...e.versions.map((v) => v.runningStatus)));
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await expect.poll(() => statuses.at(-1)).toBe('stopped');
  // What the dead worker was waiting for goes nowhere; later pushes pass.
  await (held as Route | null)?.abort('connectionreset').catch(() => undefined);
  restarted = true;

  // The next message starts the worker again: it puts both batches back and syncs.
  await askWorker(page, { type: 'SYNC_NOW' });
  expect(statuses.at(-1)).toBe('running');
  await expect
    .poll(
      async () =>
        (await askWorker<{ stats: { pending: number; inFlight: number } }>(page, { type: 'GET_STATE' })).stats,
      { timeout: 20_000 },
    )
    .toMatchObject({ pending: 0, inFlight: 0 });

  // The server holds every booking once; the replica holds them under their server ids
  // (still under their temp keys), nothing pending.
  await expectServerAndReplicaAgree(page, title, titles(title, COUNT));
});
