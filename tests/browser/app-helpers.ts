/**
 * Helpers for the staff-app browser tests: sign in through the UI, read the worker's state, act as
 * a second user straight on the server, and save tablet-size screenshots.
 */
import {
  expect,
  request,
  test as base,
  type APIRequestContext,
  type BrowserContext,
  type Page,
} from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { askWorker, waitForServiceWorkerControl } from './helpers.ts';

export const PASSWORD = 'demo1234';

export interface WorkerState {
  isSyncing: boolean;
  lastPulledAt: number | null;
  stats: { pending: number; inFlight: number; failed: number; conflicts: number; completed: number };
}

/** The worker's GET_STATE reply, asked from the page. */
export function workerState(page: Page): Promise<WorkerState> {
  return askWorker<WorkerState>(page, { type: 'GET_STATE' });
}

/** Opens the app, signs in with the form and waits until the worker's first pull filled the replica. */
export async function signInThroughUi(page: Page, email = 'reception@northside.example', path = '/'): Promise<void> {
  await page.goto(path);
  await waitForServiceWorkerControl(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: /^Sign out/ })).toBeVisible();
  await expect
    .poll(
      async () => {
        const state = await workerState(page);
        return state.lastPulledAt !== null && !state.isSyncing;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
}

/** A second user working straight against the server (another tablet, or the front desk PC). */
export async function serverSession(baseURL: string, email: string): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL });
  const res = await api.post('/api/auth/login', { data: { email, password: PASSWORD } });
  expect(res.status(), await res.text()).toBe(200);
  return api;
}

export interface ServerAppointment {
  id: number;
  title: string;
  notes: string | null;
  durationMinutes: string;
  petId: number;
  clientId: number | null;
  version: number;
  date: string;
  status: string;
  updatedAt: string;
}

export async function serverGet<T>(api: APIRequestContext, path: string): Promise<T> {
  const res = await api.get(path);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { data: T }).data;
}

export async function serverPatch<T>(api: APIRequestContext, path: string, body: Record<string, unknown>): Promise<T> {
  const res = await api.patch(path, { data: body });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { data: T }).data;
}

/** The page's local calendar day of an ISO instant (the browser and the test share the machine's zone). */
export function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The offline indicator's card (inside its shadow root; Playwright's locators pierce it). */
export function indicator(page: Page) {
  return page.locator('offline-indicator .card');
}

export interface ConflictScenario {
  page: Page;
  api: APIRequestContext;
  id: number;
  original: ServerAppointment;
}

/**
 * The `index`-th appointment of the seed. Oldest ids first: records other tests create get higher
 * ids, so an index keeps naming the same seeded appointment whatever ran before. The first ten are
 * left to other suites, which tend to pick "the first appointment".
 */
async function pickAppointment(api: APIRequestContext, index: number): Promise<ServerAppointment> {
  const now = Date.now();
  const from = new Date(now - 20 * 86_400_000).toISOString();
  const to = new Date(now + 20 * 86_400_000).toISOString();
  const list = await serverGet<ServerAppointment[]>(
    api,
    `/api/appointments?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
  const seeded = list.sort((a, b) => a.id - b.id);
  const picked = seeded[10 + index];
  if (!picked) throw new Error(`only ${seeded.length} appointments to pick from`);
  return picked;
}

/**
 * The vet changes `serverChanges` on the server; then the tablet, offline and unaware, changes
 * `tabletChanges` through the edit form; then the tablet goes online and its push conflicts.
 */
async function makeConflictOn(
  page: Page,
  context: BrowserContext,
  baseURL: string,
  index: number,
  serverChanges: Record<string, string>,
  tabletChanges: { title?: string; notes?: string },
): Promise<ConflictScenario> {
  await signInThroughUi(page);
  const api = await serverSession(baseURL, 'vet@northside.example');
  const original = await pickAppointment(api, index);
  const id = original.id;

  await context.setOffline(true);
  await serverPatch(api, `/api/appointments/${id}`, serverChanges);

  await page.goto(`/appointments/${id}`);
  await expect(page.getByRole('heading', { name: 'Edit appointment' })).toBeVisible();
  if (tabletChanges.title !== undefined) await page.getByLabel('Title').fill(tabletChanges.title);
  if (tabletChanges.notes !== undefined) await page.getByLabel('Notes').fill(tabletChanges.notes);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: 'Appointments', level: 1 })).toBeVisible();

  await context.setOffline(false);
  await expect(indicator(page).getByTestId('conflict-count')).toHaveText('1 conflict', { timeout: 30_000 });
  return { page, api, id, original };
}

export async function serverPost<T>(api: APIRequestContext, path: string, body: Record<string, unknown>): Promise<T> {
  const res = await api.post(path, { data: body });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { data: T }).data;
}

/** Status of `GET path` on the server (404 once a deletion reached it). */
export async function serverStatus(api: APIRequestContext, path: string): Promise<number> {
  return (await api.get(path)).status();
}

export interface Household {
  client: { id: number; name: string };
  pet: { id: number; name: string };
}

/** A client of their own with one pet, made on the server (by the front desk PC) for one test. */
export async function makeHousehold(api: APIRequestContext, label: string): Promise<Household> {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const client = await serverPost<{ id: number; name: string }>(api, '/api/users', {
    name: `${label} Owner ${stamp}`,
    role: 'CLIENT',
    email: null,
    phone: null,
  });
  const pet = await serverPost<{ id: number; name: string }>(api, '/api/pets', {
    name: `${label}Pet${stamp.slice(-5)}`,
    species: 'Dog',
    ownerId: client.id,
  });
  return { client, pet };
}

/** An appointment of the pet, `days` from now (negative: in the past). */
export function bookOnServer(
  api: APIRequestContext,
  petId: number,
  title: string,
  days: number,
  status = 'scheduled',
): Promise<ServerAppointment> {
  const date = new Date(Date.now() + days * 86_400_000);
  date.setMinutes(0, 0, 0);
  return serverPost<ServerAppointment>(api, '/api/appointments', {
    title,
    type: 'checkup',
    date: date.toISOString(),
    durationMinutes: 30,
    status,
    notes: null,
    petId,
    practitionerId: null,
  });
}

/** Local `YYYY-MM-DD`, `days` calendar days from today (a day across a clock change is not 24 h). */
export function dayFromToday(days: number): string {
  const day = new Date();
  day.setDate(day.getDate() + days);
  return localDay(day.toISOString());
}

/** A practitioner of the seed by name (Dr. Sam Patel is the northside vet). */
export async function practitionerNamed(
  api: APIRequestContext,
  name = 'Dr. Sam Patel',
): Promise<{ id: number; name: string }> {
  const vets = await serverGet<{ id: number; name: string }[]>(api, '/api/users?role=PRACTITIONER');
  const vet = vets.find((v) => v.name === name);
  if (!vet) throw new Error(`no practitioner ${name}`);
  return vet;
}

/** An appointment booked on the server at a local day (`YYYY-MM-DD`) and time. */
export function bookAtOnServer(
  api: APIRequestContext,
  at: {
    petId: number;
    practitionerId: number | null;
    day: string;
    hour: number;
    minute?: number;
    durationMinutes: number;
    title: string;
    type?: string;
  },
): Promise<ServerAppointment> {
  return serverPost<ServerAppointment>(api, '/api/appointments', {
    title: at.title,
    type: at.type ?? 'checkup',
    date: localInstant(at.day, at.hour, at.minute),
    durationMinutes: at.durationMinutes,
    status: 'scheduled',
    notes: null,
    petId: at.petId,
    practitionerId: at.practitionerId,
  });
}

/** A local day (`YYYY-MM-DD`) and time as an ISO instant. */
function localInstant(day: string, hour: number, minute = 0): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d, hour, minute).toISOString();
}

export interface HeldBooking {
  clientId: number;
  petId: number;
  practitionerId: number;
  day: string;
  hour: number;
  minute: number;
  title: string;
  /** The front desk's booking of the same practitioner at that time (another pet). */
  desk: { petId: number; title: string };
}

/**
 * A real held double booking on this tablet: offline, it books `booking` through the form (its
 * replica sees the slot free); meanwhile the front desk books the same practitioner at that time on
 * the server; back online, the worker's push is held as a double booking. Returns the desk's booking.
 */
export async function holdDoubleBooking(
  page: Page,
  context: BrowserContext,
  api: APIRequestContext,
  booking: HeldBooking,
): Promise<ServerAppointment> {
  await context.setOffline(true);
  await page.goto(`/appointments/new?date=${booking.day}`);
  await page.getByLabel('Client').selectOption(String(booking.clientId));
  await page.getByLabel('Pet').selectOption(String(booking.petId));
  await page.getByLabel('Practitioner').selectOption(String(booking.practitionerId));
  await page.getByLabel('Duration').selectOption('30');
  await page
    .getByLabel('Time', { exact: true })
    .fill(`${String(booking.hour).padStart(2, '0')}:${String(booking.minute).padStart(2, '0')}`);
  await page.getByLabel('Title').fill(booking.title);
  await expect(page.getByTestId('clash-warning')).toBeHidden();
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.getByRole('heading', { name: 'Appointments', level: 1 })).toBeVisible();
  const desk = await bookAtOnServer(api, {
    petId: booking.desk.petId,
    practitionerId: booking.practitionerId,
    day: booking.day,
    hour: booking.hour,
    minute: booking.minute,
    durationMinutes: 20,
    title: booking.desk.title,
  });
  await context.setOffline(false);
  await expect(indicator(page).getByTestId('conflict-count')).toHaveText(/^\d+ conflicts?$/, { timeout: 30_000 });
  return desk;
}

/** The Sync tab with the held double booking's dialog open, Move mine chosen. */
export async function openHeldDoubleBooking(page: Page, title: string): Promise<void> {
  await page.goto('/sync');
  await page.getByRole('listitem').filter({ hasText: title }).getByRole('button', { name: 'Resolve…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('double-booking')).toBeVisible();
  await expect(dialog.getByTestId('double-booking')).toContainText(title);
  await dialog.getByRole('radio', { name: /^Move mine/ }).check();
}

/** From that dialog to Move mine's booking form, its double-booking warning showing. */
export async function chooseMoveMine(page: Page): Promise<void> {
  await page.getByRole('dialog').getByRole('button', { name: 'Choose a new time…' }).click();
  await expect(page.getByRole('heading', { name: 'Move my booking' })).toBeVisible();
  await expect(page.getByTestId('clash-warning')).toBeVisible();
}

export interface AppFixtures {
  /** An administrator's session straight on the server (the front desk PC), disposed after the test. */
  admin: APIRequestContext;
  /**
   * A conflict on the `index`-th seeded appointment, made on this test's page (see makeConflictOn); the vet's
   * server sessions are disposed after the test.
   */
  makeConflict: (
    index: number,
    serverChanges: Record<string, string>,
    tabletChanges: { title?: string; notes?: string },
  ) => Promise<ConflictScenario>;
}

/** Playwright's `test` with the staff-app fixtures. */
export const test = base.extend<AppFixtures>({
  admin: async ({ baseURL }, use) => {
    const api = await serverSession(baseURL!, 'admin@northside.example');
    await use(api);
    await api.dispose();
  },
  makeConflict: async ({ page, context, baseURL }, use) => {
    const sessions: APIRequestContext[] = [];
    await use(async (index, serverChanges, tabletChanges) => {
      const scenario = await makeConflictOn(page, context, baseURL!, index, serverChanges, tabletChanges);
      sessions.push(scenario.api);
      return scenario;
    });
    for (const api of sessions) await api.dispose();
  },
});

/** axe-core (WCAG 2.1 A/AA and best practice) on the page as it is: no serious or critical violation. */
export async function expectNoSeriousViolations(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
  expect(serious, `${screen}: ${serious.join('\n')}`).toEqual([]);
}
