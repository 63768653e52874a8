/**
 * The fault suite, scenarios 7, 8 and 10 (issue 13): a session that expires with work queued,
 * two tabs sharing one worker, and two staff members editing one appointment offline. Each ends
 * by comparing the server's rows (SQLite) with the browsers' IndexedDB.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { askWorker, pageFetch, signInDevice } from './helpers.ts';
import { indicator, signInThroughUi } from './app-helpers.ts';
import {
  bookMany,
  e2eDatabasePath,
  expectDrained,
  expectServerAndReplicaAgree,
  openSignedIn,
  replicaRows,
  serverRows,
  titles,
  workerStats,
} from './fault-helpers.ts';

/** Ends the session of this context on the server, as its expiry would (the cookie stays in the browser). */
async function expireSession(context: BrowserContext): Promise<void> {
  const cookie = (await context.cookies()).find((c) => c.name === 'smartdmv_session');
  expect(cookie).toBeDefined();
  const db = new Database(e2eDatabasePath());
  try {
    db.pragma('busy_timeout = 5000');
    const hash = createHash('sha256').update(cookie!.value).digest('base64url');
    expect(db.prepare('UPDATE sessions SET expires_at = 0 WHERE token_hash = ?').run(hash).changes).toBe(1);
  } finally {
    db.close();
  }
}

test('7. the session expires with operations queued: nothing dropped, "sign in to sync", the queue drains after sign-in', async ({
  page,
  context,
}) => {
  await signInThroughUi(page, 'vet@northside.example');
  const prefix = `S7 expired ${Date.now()} #`;
  await context.setOffline(true);
  await bookMany(page, prefix, 25, '2027-06-01T08:00:00.000Z');
  await expireSession(context);
  await context.setOffline(false);

  await expect(indicator(page)).toContainText('Sign in to sync', { timeout: 20_000 });
  expect(await workerStats(page)).toMatchObject({ pending: 25, failed: 0 });
  expect(serverRows(prefix)).toEqual([]);

  await signInDevice(page, 'vet@northside.example');
  await expectDrained(page);
  await expect(indicator(page)).not.toContainText('Sign in to sync');
  await expectServerAndReplicaAgree(page, prefix, titles(prefix, 25));
});

/** Collects the worker's broadcasts in the page (from the start of the page). */
async function recordBroadcasts(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const seen: { type: string; [k: string]: unknown }[] = [];
    (window as unknown as { __broadcasts: typeof seen }).__broadcasts = seen;
    navigator.serviceWorker?.addEventListener('message', (e) => {
      if (e.data && typeof e.data.type === 'string') seen.push(e.data);
    });
  });
}

function broadcasts(page: Page): Promise<{ type: string; stats?: { pending: number } }[]> {
  return page.evaluate(
    () => (window as unknown as { __broadcasts: { type: string; stats?: { pending: number } }[] }).__broadcasts,
  );
}

test('8. two tabs and the worker: one sync at a time, both tabs told the same progress and counts', async ({
  context,
}) => {
  await recordBroadcasts(context);
  const first = await openSignedIn(context);
  const second = await context.newPage();
  await second.goto('/');
  const prefix = `S8 two tabs ${Date.now()} #`;
  await context.setOffline(true);
  await bookMany(first, prefix, 400, '2027-07-01T08:00:00.000Z');

  let inFlight = 0;
  let mostAtOnce = 0;
  let pushes = 0;
  await context.route('**/api/sync/push', async (route) => {
    pushes++;
    mostAtOnce = Math.max(mostAtOnce, ++inFlight);
    try {
      const response = await route.fetch();
      inFlight--;
      await route.fulfill({ response });
    } catch {
      inFlight--;
      await route.abort().catch(() => undefined);
    }
  });
  await context.setOffline(false);
  // Both tabs ask at once, on top of the returning network's Background Sync.
  await Promise.all([askWorker(first, { type: 'SYNC_NOW' }), askWorker(second, { type: 'SYNC_NOW' })]);
  await expectDrained(first);
  await expect
    .poll(async () => (await broadcasts(second)).filter((m) => m.type === 'QUEUE_STATS').at(-1)?.stats?.pending)
    .toBe(0);

  expect(mostAtOnce, 'never two pushes at once').toBe(1);
  const kinds = (messages: { type: string }[]) =>
    messages.filter((m) => ['SYNC_STARTED', 'SYNC_PROGRESS', 'SYNC_RESULT', 'QUEUE_STATS'].includes(m.type));
  const [a, b] = [kinds(await broadcasts(first)), kinds(await broadcasts(second))];
  // The second tab opened before anything was queued: it heard every broadcast the first one did.
  expect(b).toEqual(a.slice(a.length - b.length));
  expect(a.filter((m) => m.type === 'SYNC_PROGRESS').length).toBeGreaterThan(1);
  console.log(`[fault-suite] 8: 400 queued, ${pushes} pushes, at most ${mostAtOnce} at once`);
  await expectServerAndReplicaAgree(first, prefix, titles(prefix, 400));
  await expectServerAndReplicaAgree(second, prefix, titles(prefix, 400));
});

interface Appointment {
  id: number;
  title: string;
  notes: string | null;
  version: number;
}

async function readAppointment(page: Page, id: number): Promise<Appointment> {
  return (await pageFetch<{ data: Appointment }>(page, 'GET', `/api/appointments/${id}`)).body.data;
}

test('10. concurrent staff: disjoint fields merge; the same field is a conflict in exactly one browser; after resolution all agree', async ({
  browser,
  baseURL,
}) => {
  const contexts = await Promise.all([browser.newContext({ baseURL }), browser.newContext({ baseURL })]);
  try {
    const [desk, vet] = [
      await openSignedIn(contexts[0]),
      await openSignedIn(contexts[1], '/', 'vet@northside.example'),
    ];
    const prefix = `S10 staff ${Date.now()} `;
    await bookMany(desk, prefix, 1, '2027-08-02T08:00:00.000Z');
    await askWorker(desk, { type: 'SYNC_NOW' });
    await expectDrained(desk);
    const [row] = serverRows(prefix);
    await askWorker(vet, { type: 'SYNC_NOW' });
    expect((await readAppointment(vet, row!.id)).title).toBe(`${prefix}0`);

    // Disjoint fields, both offline: the desk edits the notes, the vet the title.
    await Promise.all(contexts.map((c) => c.setOffline(true)));
    await pageFetch(desk, 'PATCH', `/api/appointments/${row!.id}`, { notes: 'Fasting since 8pm' });
    await pageFetch(vet, 'PATCH', `/api/appointments/${row!.id}`, { title: `${prefix}0 dental` });
    for (const [context, page] of [
      [contexts[0], desk],
      [contexts[1], vet],
    ] as const) {
      await context.setOffline(false);
      await askWorker(page, { type: 'SYNC_NOW' });
      await expectDrained(page);
    }
    await askWorker(desk, { type: 'SYNC_NOW' });
    const merged = { title: `${prefix}0 dental`, notes: 'Fasting since 8pm' };
    expect(serverRows(prefix)).toMatchObject([merged]);
    for (const page of [desk, vet]) expect(await readAppointment(page, row!.id)).toMatchObject(merged);

    // The same field: the desk syncs first and wins the race; the vet's browser holds the conflict.
    await Promise.all(contexts.map((c) => c.setOffline(true)));
    await pageFetch(desk, 'PATCH', `/api/appointments/${row!.id}`, { title: `${prefix}0 desk` });
    await pageFetch(vet, 'PATCH', `/api/appointments/${row!.id}`, { title: `${prefix}0 vet` });
    await contexts[0].setOffline(false);
    await askWorker(desk, { type: 'SYNC_NOW' });
    await expectDrained(desk);
    await contexts[1].setOffline(false);
    await askWorker(vet, { type: 'SYNC_NOW' });
    await expect.poll(() => workerStats(vet)).toMatchObject({ conflicts: 1 });
    expect((await workerStats(desk)).conflicts).toBe(0);
    const [conflict] = await askWorker<{ id: number; affectedFields: string[] }[]>(vet, { type: 'GET_CONFLICTS' });
    expect(conflict!.affectedFields).toEqual(['title']);

    // The vet keeps the desk's title (server wins): both browsers and the server agree.
    await askWorker(vet, {
      type: 'RESOLVE_CONFLICT',
      conflictId: conflict!.id,
      resolution: { strategy: 'server_wins' },
    });
    await askWorker(vet, { type: 'SYNC_NOW' });
    await expectDrained(vet);
    await askWorker(desk, { type: 'SYNC_NOW' });
    const final = { title: `${prefix}0 desk`, notes: 'Fasting since 8pm' };
    expect(serverRows(prefix)).toMatchObject([final]);
    for (const page of [desk, vet]) {
      expect(await readAppointment(page, row!.id)).toMatchObject({ ...final, version: serverRows(prefix)[0]!.version });
      expect((await replicaRows(page, prefix)).map((r) => r._pending)).toEqual([false]);
    }
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});
