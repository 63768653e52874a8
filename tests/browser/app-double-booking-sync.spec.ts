/**
 * Issue 11 item 1, end to end: two tablets (two browser contexts, each with its own worker and
 * replica), both offline, book the same practitioner at the same time. Both sync: exactly one
 * booking is stored as booked, the other is held as a double booking and resolved through the
 * dialog, one test per way out (move mine, keep both, cancel mine; and undo my change for a booking
 * moved offline onto the taken time; and a held new booking deleted from the ordinary form). At the
 * end the server and both replicas agree on that day's bookings.
 */
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { askWorker } from './helpers.ts';
import {
  bookAtOnServer,
  dayFromToday,
  indicator,
  makeHousehold,
  practitionerNamed,
  serverGet,
  serverSession,
  signInThroughUi,
  workerState,
  type Household,
} from './app-helpers.ts';

/** Far enough ahead that no seeded appointment (nor another suite's) shares the day. */
const DAY_OFFSET = 70;

interface Tablet {
  context: BrowserContext;
  page: Page;
}

interface Booked {
  id: number;
  title: string;
  date: string;
  durationMinutes: string;
  status: string;
  overlapAllowed?: boolean;
  practitionerId: number | null;
  petId: number;
  version: number;
}

async function openTablet(browser: Browser, baseURL: string): Promise<Tablet> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  await signInThroughUi(page);
  return { context, page };
}

/** Books Dr. Sam Patel for `household`'s pet on `day` at 10:00 for 30 minutes, through the form. */
async function bookThroughForm(
  tablet: Tablet,
  household: Household,
  vetId: number,
  day: string,
  title: string,
): Promise<void> {
  const { page } = tablet;
  await page.goto(`/appointments/new?date=${day}`);
  await expect(page.getByRole('heading', { name: 'Book an appointment' })).toBeVisible();
  await page.getByLabel('Client').selectOption(String(household.client.id));
  await expect(page.getByLabel('Pet')).toHaveValue(String(household.pet.id));
  await page.getByLabel('Practitioner').selectOption(String(vetId));
  await page.getByLabel('Duration').selectOption('30');
  await page.getByLabel('Time', { exact: true }).fill('10:00');
  await page.getByLabel('Title').fill(title);
  // Offline, this tablet's replica knows nothing of the other tablet's booking: no warning.
  await expect(page.getByTestId('clash-warning')).toBeHidden();
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.locator('a.row', { hasText: household.pet.name })).toBeVisible();
}

/** Waits until the tablet's worker has sent everything it can (`conflicts` left held). */
async function settled(page: Page, conflicts = 0): Promise<void> {
  await expect
    .poll(
      async () => {
        const { stats, isSyncing } = await workerState(page);
        return { waiting: stats.pending + stats.inFlight + stats.failed, conflicts: stats.conflicts, isSyncing };
      },
      { timeout: 30_000 },
    )
    .toEqual({ waiting: 0, conflicts, isSyncing: false });
}

/** The day's appointments in the tablet's IndexedDB replica, as the server would list them. */
async function replicaDay(page: Page, from: string, to: string): Promise<Record<string, unknown>[]> {
  const records = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('smartdmv-offline');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error!);
    });
    const all = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
      const req = db.transaction('appointments').objectStore('appointments').getAll();
      req.onsuccess = () => resolve(req.result as Record<string, unknown>[]);
      req.onerror = () => reject(req.error!);
    });
    db.close();
    return all;
  });
  return comparable(
    records.filter((r) => String(r.date) >= from && String(r.date) < to && !r.deletedAt),
    true,
  );
}

const COMPARED = ['id', 'title', 'date', 'durationMinutes', 'status', 'practitionerId', 'petId', 'version'] as const;

/** The compared fields; a replica record also says whether it waits to sync (the server's never do). */
function comparable(records: readonly object[], withLocalFlags = false): Record<string, unknown>[] {
  return records
    .map((record): Record<string, unknown> => {
      const r = record as Record<string, unknown>;
      return {
        ...Object.fromEntries(COMPARED.map((k) => [k, r[k]])),
        overlapAllowed: r.overlapAllowed === true,
        ...(withLocalFlags ? { pending: r._pending, conflict: r._conflict } : { pending: false, conflict: false }),
      };
    })
    .sort((a, b) => Number(a.id) - Number(b.id));
}

interface Scenario {
  api: APIRequestContext;
  a: Tablet;
  b: Tablet;
  day: string;
  from: string;
  to: string;
  vet: { id: number; name: string };
  /** The booking that reached the server first (tablet A's). */
  stored: Booked;
  titleB: string;
  /** What B's held row is: a new booking, or a move of one the server has. */
  held: 'create' | 'update';
  close(): Promise<void>;
}

/**
 * Both tablets offline book Dr. Patel at 10:00 on `day`; A syncs first (booked), then B (held).
 * B's indicator then shows one conflict. `moves: true`: B's booking is one both tablets already
 * have at 11:00, which B moves to 10:00 offline (a held update, not a held create).
 */
async function doubleBooked(
  browser: Browser,
  baseURL: string,
  label: string,
  dayOffset: number,
  options: { moves?: boolean } = {},
): Promise<Scenario> {
  const api = await serverSession(baseURL, 'admin@northside.example');
  const vet = await practitionerNamed(api);
  const householdA = await makeHousehold(api, `${label}A`);
  const householdB = await makeHousehold(api, `${label}B`);
  const day = dayFromToday(dayOffset);
  const [y, m, d] = day.split('-').map(Number);
  const from = new Date(y!, m! - 1, d).toISOString();
  const to = new Date(y!, m! - 1, d! + 1).toISOString();

  const titleA = `${label} tablet A`;
  const titleB = `${label} tablet B`;
  const existing = options.moves
    ? await bookAtOnServer(api, {
        petId: householdB.pet.id,
        practitionerId: vet.id,
        day,
        hour: 11,
        durationMinutes: 30,
        title: titleB,
      })
    : null;
  const a = await openTablet(browser, baseURL);
  const b = await openTablet(browser, baseURL);
  await a.context.setOffline(true);
  await b.context.setOffline(true);
  await bookThroughForm(a, householdA, vet.id, day, titleA);
  if (existing) {
    await b.page.goto(`/appointments/${existing.id}`);
    await expect(b.page.getByRole('heading', { name: 'Edit appointment' })).toBeVisible();
    await b.page.getByLabel('Time', { exact: true }).fill('10:00');
    await expect(b.page.getByTestId('clash-warning')).toBeHidden();
    await b.page.getByRole('button', { name: 'Save changes' }).click();
    await expect(b.page.getByRole('heading', { name: 'Appointments', level: 1 })).toBeVisible();
  } else {
    await bookThroughForm(b, householdB, vet.id, day, titleB);
  }

  await a.context.setOffline(false);
  await settled(a.page);
  await b.context.setOffline(false);
  await expect(indicator(b.page).getByTestId('conflict-count')).toHaveText('1 conflict', { timeout: 30_000 });
  await settled(b.page, 1);

  // Exactly one is stored as booked at 10:00: tablet A's (B's booking, if it had one, stays at 11:00).
  const onServer = await serverGet<Booked[]>(
    api,
    `/api/appointments?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
  expect(onServer.map((r) => [r.title, r.status, new Date(r.date).getHours()])).toEqual([
    [titleA, 'scheduled', 10],
    ...(existing ? [[titleB, 'scheduled', 11]] : []),
  ]);
  return {
    api,
    a,
    b,
    day,
    from,
    to,
    vet,
    stored: onServer[0]!,
    titleB,
    held: existing ? 'update' : 'create',
    close: async () => {
      await Promise.all([a.context.close(), b.context.close()]);
      await api.dispose();
    },
  };
}

/** Opens B's held booking from the indicator's Review link, in the dialog, with `way` chosen. */
async function openHeld(s: Scenario, way: RegExp): Promise<ReturnType<Page['getByRole']>> {
  const { page } = s.b;
  await indicator(page).getByRole('link', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Resolve…' }).click();
  const dialog = page.getByRole('dialog');
  const held = dialog.getByTestId('double-booking');
  await expect(held).toBeVisible();
  // Mine beside the one it overlaps, which B's replica now has from the server's answer.
  await expect(held).toContainText(s.titleB);
  await expect(held).toContainText(s.stored.title);
  // A new booking has nothing to undo; a held change of a booking does.
  await expect(dialog.getByRole('radio', { name: /^Undo my change/ })).toHaveCount(s.held === 'update' ? 1 : 0);
  await dialog.getByRole('radio', { name: way }).check();
  return dialog;
}

/** Both tablets pull, then the server's rows of the day and each replica's are the same. */
async function allAgree(s: Scenario): Promise<Record<string, unknown>[]> {
  await askWorker(s.a.page, { type: 'SYNC_NOW' });
  await askWorker(s.b.page, { type: 'SYNC_NOW' });
  await settled(s.a.page);
  await settled(s.b.page);
  const onServer = comparable(
    await serverGet<Booked[]>(
      s.api,
      `/api/appointments?from=${encodeURIComponent(s.from)}&to=${encodeURIComponent(s.to)}`,
    ),
  );
  expect(onServer).toHaveLength(2);
  expect(await replicaDay(s.a.page, s.from, s.to)).toEqual(onServer);
  expect(await replicaDay(s.b.page, s.from, s.to)).toEqual(onServer);
  return onServer;
}

test.describe.configure({ mode: 'serial' });

test('move mine: the held booking moves to a free time on the form, and both are booked', async ({
  browser,
  baseURL,
}) => {
  const s = await doubleBooked(browser, baseURL!, 'Move', DAY_OFFSET);
  const dialog = await openHeld(s, /^Move mine/);
  await s.b.page.screenshot({ path: '.tmp/held-double-booking-dialog-1024x768.png' });
  await dialog.getByRole('button', { name: 'Choose a new time…' }).click();

  // The form on the held booking, which is still known only by its temp id on this tablet.
  const { page } = s.b;
  await expect(page.getByRole('heading', { name: 'Move my booking' })).toBeVisible();
  expect(new URL(page.url()).pathname).toMatch(/^\/appointments\/temp_appt_[^/]+\/move$/);
  await expect(page.getByTestId('clash-warning')).toContainText(`Dr. Sam Patel already has`);
  await page
    .getByTestId('free-slots')
    .getByRole('button')
    .filter({ hasText: /^10.30/ })
    .click();
  await expect(page.getByTestId('clash-warning')).toBeHidden();
  await page.getByRole('button', { name: 'Move booking' }).click();
  await settled(page);

  const rows = await allAgree(s);
  expect(
    rows.map((r) => [
      r.title,
      r.status,
      new Date(String(r.date)).getHours(),
      new Date(String(r.date)).getMinutes(),
      r.overlapAllowed,
    ]),
  ).toEqual([
    [s.stored.title, 'scheduled', 10, 0, false],
    [s.titleB, 'scheduled', 10, 30, false],
  ]);
  await s.close();
});

/** Applies `way` to B's held booking in the dialog and waits until B has sent it; then all agree. */
async function resolvedInDialog(s: Scenario, way: RegExp): Promise<unknown[][]> {
  const dialog = await openHeld(s, way);
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog).toBeHidden();
  await settled(s.b.page);
  const rows = await allAgree(s);
  return rows.map((r) => [r.title, r.status, r.date, r.overlapAllowed]);
}

test('keep both: the held booking is stored at the same time, marked as double-booked on purpose', async ({
  browser,
  baseURL,
}) => {
  const s = await doubleBooked(browser, baseURL!, 'Keep', DAY_OFFSET + 1);
  expect(await resolvedInDialog(s, /^Keep both/)).toEqual([
    [s.stored.title, 'scheduled', s.stored.date, false],
    [s.titleB, 'scheduled', s.stored.date, true],
  ]);
  // Tablet A's day list shows the mark on B's booking.
  await s.a.page.goto(`/?date=${s.day}`);
  await expect(s.a.page.locator('a.row', { hasText: s.titleB }).getByText('Double-booked on purpose')).toBeVisible();
  await s.close();
});

test('cancel mine: the held booking is stored as cancelled, the slot stays with the first booking', async ({
  browser,
  baseURL,
}) => {
  const s = await doubleBooked(browser, baseURL!, 'Cancel', DAY_OFFSET + 2);
  expect(await resolvedInDialog(s, /^Cancel mine/)).toEqual([
    [s.stored.title, 'scheduled', s.stored.date, false],
    [s.titleB, 'cancelled', s.stored.date, false],
  ]);
  await s.close();
});

test('undo my change: a booking moved offline onto a taken time goes back to where the server has it', async ({
  browser,
  baseURL,
}) => {
  const s = await doubleBooked(browser, baseURL!, 'Undo', DAY_OFFSET + 3, { moves: true });
  const rows = await resolvedInDialog(s, /^Undo my change/);
  // (By id: B's booking is the older one.)
  expect(
    rows.map(([title, status, date, overlap]) => [title, status, new Date(String(date)).getHours(), overlap]),
  ).toEqual([
    [s.titleB, 'scheduled', 11, false],
    [s.stored.title, 'scheduled', 10, false],
  ]);
  await s.close();
});

test('deleted on its form: a held booking the server never stored leaves the conflicts, and nothing of it is sent', async ({
  browser,
  baseURL,
}) => {
  const s = await doubleBooked(browser, baseURL!, 'Delete', DAY_OFFSET + 4);
  const { page } = s.b;
  const openMine = async () => {
    await page.goto(`/appointments?date=${s.day}`);
    await page.locator('a.row', { hasText: s.titleB }).click();
    await expect(page.getByRole('heading', { name: 'Edit appointment' })).toBeVisible();
  };
  // The ordinary form, not the dialog: cancel the booking, then delete it for good.
  await openMine();
  await page.getByRole('button', { name: 'Cancel appointment…' }).click();
  await page.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(page.getByRole('heading', { name: 'Appointments', level: 1 })).toBeVisible();
  await openMine();
  await page.getByRole('button', { name: 'Delete appointment…' }).click();
  await page.getByRole('button', { name: 'Yes, delete it' }).click();
  await expect(page.getByRole('heading', { name: 'Appointments', level: 1 })).toBeVisible();
  await expect(page.locator('a.row', { hasText: s.titleB })).toHaveCount(0);

  // The conflict is closed, and no change of it waits (behind it or anywhere).
  await expect(indicator(page).getByTestId('conflict-count')).toHaveCount(0);
  await settled(page);
  await page.getByRole('link', { name: 'Sync' }).click();
  await page.getByRole('button', { name: 'Recently resolved (1)' }).click();
  await expect(page.getByTestId('recently-resolved')).toContainText('Resolved by you with Delete on its form');

  // The server has only tablet A's booking; both replicas agree with it.
  await askWorker(s.a.page, { type: 'SYNC_NOW' });
  await askWorker(page, { type: 'SYNC_NOW' });
  await settled(s.a.page);
  await settled(page);
  const onServer = comparable(
    await serverGet<Booked[]>(
      s.api,
      `/api/appointments?from=${encodeURIComponent(s.from)}&to=${encodeURIComponent(s.to)}`,
    ),
  );
  expect(onServer.map((r) => [r.title, r.status])).toEqual([[s.stored.title, 'scheduled']]);
  expect(await replicaDay(s.a.page, s.from, s.to)).toEqual(onServer);
  expect(await replicaDay(page, s.from, s.to)).toEqual(onServer);
  await s.close();
});
