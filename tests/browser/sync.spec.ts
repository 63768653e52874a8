/**
 * The worker's offline promise, end to end in Chromium against the real server:
 * writes made offline get temp ids, sync when the network returns (also with the tab closed),
 * get their real ids, and reach the server exactly once.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { askWorker, pageFetch, queuedOperations, signInDevice, waitForServiceWorkerControl } from './helpers.ts';
import { replicaRows } from './fault-helpers.ts';

interface Pet {
  id: number | string;
  ownerId: number | string;
  name: string;
}
interface Appointment {
  id: number | string;
  petId: number | string;
  clientId: number | string | null;
  title: string;
  _pending?: boolean;
}

async function openApp(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  return page;
}

/**
 * A day no seeded appointment reaches; each booking takes a half hour of its own there (the same
 * pet twice at one time is a double booking, which the server holds back).
 */
const DAY = '2030-11-26';
let slot = 0;
function appointmentBody(petId: number | string, title: string) {
  const date = new Date(Date.parse(`${DAY}T00:00:00.000Z`) + (slot++ % 48) * 30 * 60_000).toISOString();
  return { title, type: 'checkup', date, durationMinutes: 30, petId, practitionerId: null };
}

/** The server's own view (Playwright's request context shares the browser's cookies, not its worker). */
async function serverAppointments(context: BrowserContext, title: string): Promise<Appointment[]> {
  const res = await context.request.get(`/api/appointments?from=${DAY}T00:00:00.000Z&to=2030-11-27T00:00:00.000Z`);
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { data: Appointment[] };
  return body.data.filter((a) => a.title === title);
}

test('offline create gets a temp id, then its real id after the network returns; clientId is the pet owner', async ({
  context,
}) => {
  const page = await openApp(context);
  await signInDevice(page);
  const pets = (await pageFetch<{ data: Pet[] }>(page, 'GET', '/api/pets')).body.data;
  expect(pets.length).toBeGreaterThanOrEqual(30);
  const pet = pets[0]!;

  await context.setOffline(true);
  const title = `Offline checkup ${Date.now()}`;
  const created = await pageFetch<{ data: Appointment }>(
    page,
    'POST',
    '/api/appointments',
    appointmentBody(pet.id, title),
  );
  expect(created.status).toBe(201);
  const tempId = created.body.data.id;
  expect(tempId).toMatch(/^temp_appt_/);
  expect(created.body.data).toMatchObject({ _pending: true, clientId: pet.ownerId });
  expect(await queuedOperations(page)).toMatchObject([
    { operation: 'create', entityType: 'appointments', entityId: tempId, status: 'pending' },
  ]);

  await context.setOffline(false); // Background Sync fires by itself
  await expect
    .poll(
      async () => (await pageFetch<{ data: Appointment }>(page, 'GET', `/api/appointments/${tempId}`)).body.data.id,
      { timeout: 15_000 },
    )
    .toEqual(expect.any(Number));
  const synced = (await pageFetch<{ data: Appointment }>(page, 'GET', `/api/appointments/${tempId}`)).body.data;
  expect(synced._pending).toBe(false);
  expect(await queuedOperations(page)).toEqual([]);

  const onServer = await serverAppointments(context, title);
  expect(onServer).toHaveLength(1);
  expect(onServer[0]).toMatchObject({ id: synced.id, petId: pet.id, clientId: pet.ownerId });
});

test('a pet and its appointment created offline sync in one go', async ({ context }) => {
  const page = await openApp(context);
  await signInDevice(page);
  const owner = (await pageFetch<{ data: { id: number }[] }>(page, 'GET', '/api/users?role=CLIENT')).body.data[0]!;

  await context.setOffline(true);
  const pet = (
    await pageFetch<{ data: Pet }>(page, 'POST', '/api/pets', { name: 'Pixel', species: 'cat', ownerId: owner.id })
  ).body.data;
  expect(pet.id).toMatch(/^temp_pet_/);
  const title = `New patient visit ${Date.now()}`;
  const appt = (
    await pageFetch<{ data: Appointment }>(page, 'POST', '/api/appointments', appointmentBody(pet.id, title))
  ).body.data;
  expect(appt).toMatchObject({ petId: pet.id, clientId: owner.id });

  const pushes: number[] = [];
  await context.route('**/api/sync/push', async (route) => {
    pushes.push((JSON.parse(route.request().postData() ?? '{}') as { operations: unknown[] }).operations.length);
    await route.continue();
  });
  await context.setOffline(false);
  await expect
    .poll(
      async () => (await pageFetch<{ data: Appointment }>(page, 'GET', `/api/appointments/${appt.id}`)).body.data.petId,
      { timeout: 15_000 },
    )
    .toEqual(expect.any(Number));
  expect(pushes).toEqual([2]); // both operations in one request

  const realPet = (await pageFetch<{ data: Pet }>(page, 'GET', `/api/pets/${pet.id}`)).body.data;
  expect(realPet.id).toEqual(expect.any(Number));
  const onServer = await serverAppointments(context, title);
  expect(onServer).toMatchObject([{ petId: realPet.id, clientId: owner.id }]);
});

test('the tab is closed before the network returns, and the sync still happens', async ({ context }) => {
  const helper = await context.newPage(); // keeps the context (the "browser") alive, no app page
  const page = await openApp(context);
  await signInDevice(page);
  const pet = (await pageFetch<{ data: Pet[] }>(page, 'GET', '/api/pets')).body.data[1]!;

  await context.setOffline(true);
  const title = `Closed-tab booking ${Date.now()}`;
  expect((await pageFetch(page, 'POST', '/api/appointments', appointmentBody(pet.id, title))).status).toBe(201);
  await page.close();
  expect(context.pages().map((p) => p.url())).toEqual(['about:blank']);

  await context.setOffline(false);
  await expect.poll(async () => (await serverAppointments(context, title)).length, { timeout: 20_000 }).toBe(1);
  expect(helper.url()).toBe('about:blank');
  // The row landed with clientId from the pet's owner, and the replica (read when the app opens
  // again) holds it under its server id, nothing pending.
  const [row] = await serverAppointments(context, title);
  expect(row).toMatchObject({ petId: pet.id, clientId: pet.ownerId });
  const again = await openApp(context);
  expect((await replicaRows(again, title)).map((r) => ({ id: r.id, pending: r._pending }))).toEqual([
    { id: row!.id, pending: false },
  ]);
  expect(await queuedOperations(again)).toEqual([]);
});

test('a sync triggered twice at once sends each operation once', async ({ context }) => {
  const page = await openApp(context);
  await signInDevice(page);
  const pet = (await pageFetch<{ data: Pet[] }>(page, 'GET', '/api/pets')).body.data[2]!;

  await context.setOffline(true);
  const title = `Double trigger ${Date.now()}`;
  for (let i = 0; i < 5; i++) await pageFetch(page, 'POST', '/api/appointments', appointmentBody(pet.id, title));

  const sentOpIds: string[] = [];
  await context.route('**/api/sync/push', async (route) => {
    const body = JSON.parse(route.request().postData() ?? '{}') as { operations: { opId: string }[] };
    sentOpIds.push(...body.operations.map((o) => o.opId));
    await route.continue();
  });
  // Online fires the Background Sync event; "Sync Now" and a CDP-dispatched sync event race it.
  const cdp = await context.newCDPSession(page);
  const registrations = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
      const reg = e.registrations.find((r) => r.scopeURL.startsWith(new URL(page.url()).origin));
      if (reg) resolve(reg.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const registrationId = await registrations;
  await context.setOffline(false);
  await Promise.all([
    askWorker(page, { type: 'SYNC_NOW' }),
    cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin: new URL(page.url()).origin,
      registrationId,
      tag: 'smartdmv-sync',
      lastChance: false,
    }),
  ]);
  await expect.poll(async () => (await queuedOperations(page)).length, { timeout: 15_000 }).toBe(0);
  expect(new Set(sentOpIds).size).toBe(5);
  expect(sentOpIds).toHaveLength(5);
  expect(await serverAppointments(context, title)).toHaveLength(5);
});

test('with "Sync automatically" off, the returning network does not sync; Sync Now does', async ({ context }) => {
  const page = await openApp(context);
  await signInDevice(page);
  await askWorker(page, { type: 'SET_AUTO_SYNC', enabled: false });
  const pet = (await pageFetch<{ data: Pet[] }>(page, 'GET', '/api/pets')).body.data[3]!;
  await context.setOffline(true);
  const title = `Manual only ${Date.now()}`;
  await pageFetch(page, 'POST', '/api/appointments', appointmentBody(pet.id, title));
  await context.setOffline(false);
  await page.waitForTimeout(1500); // an automatic sync fires within ~0.2 s when allowed
  expect(await queuedOperations(page)).toHaveLength(1);
  expect(await serverAppointments(context, title)).toHaveLength(0);

  const result = await askWorker<{ pushed: number }>(page, { type: 'SYNC_NOW' });
  expect(result.pushed).toBe(1);
  expect(await serverAppointments(context, title)).toHaveLength(1);
  await askWorker(page, { type: 'SET_AUTO_SYNC', enabled: true });
});

test('after a failed Background Sync, a change saved once the network is back is sent at once, not at the browser’s retry minutes later', async ({
  context,
}) => {
  const page = await openApp(context);
  await signInDevice(page);
  const pet = (await pageFetch<{ data: Pet[] }>(page, 'GET', '/api/pets')).body.data[4]!;
  // The Wi-Fi drops during a sync: every push fails, the run gives up and the browser keeps the
  // tag for its own retry (5 minutes in Chromium).
  let failedPushes = 0;
  await context.route('**/api/sync/push', async (route) => {
    failedPushes++;
    await route.abort('internetdisconnected');
  });
  const first = `Before the drop ${Date.now()}`;
  await pageFetch(page, 'POST', '/api/appointments', appointmentBody(pet.id, first));
  await expect
    .poll(
      async () => {
        const state = await askWorker<{ isSyncing: boolean; lastResult: { error?: { code: string } | null } | null }>(
          page,
          { type: 'GET_STATE' },
        );
        return !state.isSyncing && state.lastResult?.error?.code === 'NETWORK';
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  expect(failedPushes).toBeGreaterThan(0);

  // The network is back; the receptionist saves the next booking.
  await context.unroute('**/api/sync/push');
  const second = `After the drop ${Date.now()}`;
  await pageFetch(page, 'POST', '/api/appointments', appointmentBody(pet.id, second));
  await expect.poll(async () => (await queuedOperations(page)).length, { timeout: 10_000 }).toBe(0);
  expect(await serverAppointments(context, first)).toHaveLength(1);
  expect(await serverAppointments(context, second)).toHaveLength(1);
});
