/**
 * The fault suite (issue 13), in Chromium with the real service worker against the real server
 * and its test-only fault modes (FAULT_INJECTION=1, server/http/fault-injection.ts). Each
 * scenario ends by comparing the server's rows with the browser's IndexedDB: nothing lost,
 * nothing applied twice. The others: 1 sync.spec.ts, 3 sync-pipeline.spec.ts, 4 server-kill.spec.ts,
 * 7, 8, 10 faults-sessions.spec.ts, 9 upgrade-queue.spec.ts, 11 soak.spec.ts, 12 firefox.spec.ts
 * (the README's Reliability table lists them all).
 */
import { gunzipSync } from 'node:zlib';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { askWorker } from './helpers.ts';
import {
  armFaults,
  bookMany,
  disarmFaults,
  expectDrained,
  expectServerAndReplicaAgree,
  faultsFired,
  openSignedIn,
  serverRows,
  titles,
  workerStats,
} from './fault-helpers.ts';
import { indicator, serverSession } from './app-helpers.ts';

/** Dispatches the Background Sync event as the browser would (CDP), `lastChance` as asked. */
async function dispatchSync(context: BrowserContext, page: Page, lastChance: boolean): Promise<void> {
  const cdp = await context.newCDPSession(page);
  const origin = new URL(page.url()).origin;
  const registrationId = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
      const reg = e.registrations.find((r) => r.scopeURL.startsWith(origin));
      if (reg) resolve(reg.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.dispatchSyncEvent', {
    origin,
    registrationId: await registrationId,
    tag: 'smartdmv-sync',
    lastChance,
  });
  await cdp.detach();
}

test('2. the reply to a committed push is lost: the resend applies nothing twice', async ({ context, baseURL }) => {
  const page = await openSignedIn(context);
  const prefix = `S2 lost reply ${Date.now()} #`;
  await context.setOffline(true);
  await bookMany(page, prefix, 300, '2027-02-01T08:00:00.000Z'); // three batches
  expect((await workerStats(page)).pending).toBe(300);

  // The first push is applied by the server, and its answer never arrives.
  await armFaults(context, baseURL!, [{ route: 'push', fault: 'drop_after_commit', times: 1 }]);
  const sent: string[][] = [];
  await context.route('**/api/sync/push', async (route) => {
    const body = route.request().postDataBuffer();
    const json = route.request().headers()['content-encoding'] === 'gzip' ? gunzipSync(body!) : body!;
    sent.push((JSON.parse(json.toString()) as { operations: { opId: string }[] }).operations.map((o) => o.opId));
    await route.continue();
  });
  await context.setOffline(false);
  await expectDrained(page);
  expect((await faultsFired(context, baseURL!)).drop_after_commit).toBe(1);
  // The worker sent the lost batch again, with the same opIds (the server replayed their results).
  const all = sent.flat();
  expect(new Set(all).size).toBe(300);
  expect(all.length).toBe(300 + sent[0]!.length);
  await expectServerAndReplicaAgree(page, prefix, titles(prefix, 300));
});

test('5. 500, 503 with Retry-After, a dropped connection and a slow reply: backoff, then success', async ({
  context,
  baseURL,
}) => {
  const page = await openSignedIn(context);
  const prefix = `S5 errors ${Date.now()} #`;
  await context.setOffline(true);
  await bookMany(page, prefix, 40, '2027-03-01T08:00:00.000Z');
  await armFaults(context, baseURL!, [
    { route: 'push', fault: 'status', status: 500, times: 1 },
    { route: 'push', fault: 'status', status: 503, retryAfterSeconds: 5, times: 1 },
    { route: 'push', fault: 'drop', times: 1 },
    { route: 'push', fault: 'delay', delayMs: 4000, times: 1 },
  ]);
  const pushedAt: number[] = [];
  await context.route('**/api/sync/push', async (route) => {
    pushedAt.push(Date.now());
    await route.continue();
  });
  await context.setOffline(false);
  await expectDrained(page, 45_000);
  expect(await faultsFired(context, baseURL!)).toMatchObject({ status: 2, drop: 1, delay: 1, left: 0 });
  // Backoff after the 500 (0.5–1 s); after the 503 not sooner than its Retry-After (5 s), though
  // the backoff alone would have waited 1–2 s; then the cut answer, then the slow one.
  expect(pushedAt).toHaveLength(4);
  expect(pushedAt[1]! - pushedAt[0]!).toBeGreaterThanOrEqual(450);
  expect(pushedAt[2]! - pushedAt[1]!).toBeGreaterThanOrEqual(4900);
  await expectServerAndReplicaAgree(page, prefix, titles(prefix, 40));
});

test('5. on lastChance the operations are kept as failed-retryable; Retry sends them', async ({ context, baseURL }) => {
  const page = await openSignedIn(context);
  const prefix = `S5 last chance ${Date.now()} #`;
  {
    // The server fails every push; the browser's last try of the sync event comes (dispatched
    // here through CDP) and fails too.
    await armFaults(context, baseURL!, [{ route: 'push', fault: 'status', status: 503, times: 100 }]);
    await context.setOffline(true);
    await bookMany(page, prefix, 5, '2027-03-10T08:00:00.000Z');
    await context.setOffline(false);
    // The run the network started gave up.
    await expect.poll(async () => (await faultsFired(context, baseURL!)).status, { timeout: 20_000 }).toBe(4);
    await dispatchSync(context, page, true);
    await expect
      .poll(() => workerStats(page), { timeout: 45_000 })
      .toMatchObject({ pending: 0, inFlight: 0, failed: 5 });
    const operations = await askWorker<
      { id: number; status: string; retryable: boolean; lastError: { code: string } | null }[]
    >(page, { type: 'GET_OPERATIONS' });
    const failed = operations.filter((o) => o.status === 'failed');
    expect(failed).toHaveLength(5);
    expect(failed.every((o) => o.retryable && o.lastError?.code === 'SERVER_ERROR')).toBe(true);
    expect(serverRows(prefix)).toEqual([]);

    // The Sync tab lists them with Retry; after the server recovers, Retry sends them.
    await disarmFaults(context, baseURL!);
    await page.goto('/sync');
    const list = page.getByRole('list', { name: 'Failed changes' }).getByRole('listitem');
    await expect(list).toHaveCount(5);
    await expect(list.first().getByRole('button', { name: 'Retry' })).toBeVisible();
    for (const op of failed) await askWorker(page, { type: 'RETRY_OPERATION', operationId: op.id });
    await askWorker(page, { type: 'SYNC_NOW' });
    await expectDrained(page);
    await expect(list).toHaveCount(0);
    await expectServerAndReplicaAgree(page, prefix, titles(prefix, 5));
  }
});

test('6. a poison operation does not block the ones behind it, shows its reason, and can be discarded', async ({
  context,
  baseURL,
}) => {
  const admin = await serverSession(baseURL!, 'admin@northside.example');
  const owners = ((await (await admin.get('/api/users?role=CLIENT')).json()) as { data: { id: number }[] }).data;
  const doomed = (await (
    await admin.post('/api/pets', { data: { name: `Doomed ${Date.now()}`, species: 'Dog', ownerId: owners[0]!.id } })
  ).json()) as { data: { id: number } };
  const page = await openSignedIn(context);
  const prefix = `S6 poison ${Date.now()} #`;

  await context.setOffline(true);
  const poison = await page.evaluate(
    async ({ petId, title }) => {
      const res = await fetch('/api/appointments', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          title,
          type: 'checkup',
          date: '2027-04-01T07:00:00.000Z',
          durationMinutes: 15,
          petId,
          practitionerId: null,
        }),
      });
      return ((await res.json()) as { data: { id: string } }).data.id;
    },
    { petId: doomed.data.id, title: `${prefix}poison` },
  );
  await bookMany(page, prefix, 30, '2027-04-01T08:00:00.000Z', [doomed.data.id]);
  expect((await admin.delete(`/api/pets/${doomed.data.id}`)).status()).toBe(200); // meanwhile, on the server

  await context.setOffline(false);
  await expect.poll(() => workerStats(page), { timeout: 30_000 }).toMatchObject({ pending: 0, inFlight: 0, failed: 1 });
  const [failed] = (
    await askWorker<{ id: number; entityId: string; status: string; lastError: { code: string } }[]>(page, {
      type: 'GET_OPERATIONS',
    })
  ).filter((o) => o.status === 'failed');
  expect(failed).toMatchObject({ entityId: poison, lastError: { code: 'PET_NOT_FOUND' } });
  expect(
    serverRows(prefix)
      .map((r) => r.title)
      .sort(),
  ).toEqual(titles(prefix, 30).sort());

  await page.goto('/sync');
  await expect(indicator(page)).toContainText('1 failed');
  await expect(page.getByRole('list', { name: 'Failed changes' })).toContainText('PET_NOT_FOUND');
  await askWorker(page, { type: 'DISCARD_OPERATION', operationId: failed!.id });
  await expectDrained(page);
  await expectServerAndReplicaAgree(page, prefix, titles(prefix, 30));
  await admin.dispose();
});
