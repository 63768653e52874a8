/**
 * Double bookings caught while booking (issue 11 item 1), offline, through the real worker's
 * replica: the form warns at once when the practitioner or the pet already has an appointment at
 * that time, a tapped free time takes its place, "Double-book on purpose" keeps both and marks the
 * booking, and editing checks the same way without clashing with itself.
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { askWorker } from './helpers.ts';
import {
  bookAtOnServer,
  dayFromToday,
  makeHousehold,
  practitionerNamed,
  serverSession,
  signInThroughUi,
  type Household,
  type ServerAppointment,
} from './app-helpers.ts';

/** Far enough ahead that no seeded appointment shares the day. */
const DAY_OFFSET = 45;

interface Setup {
  api: APIRequestContext;
  day: string;
  vet: { id: number; name: string };
  booked: Household;
  other: Household;
  existing: ServerAppointment;
}

/** Dr. Sam Patel sees one household's pet at 11:00–11:20 on `day` (booked on the server). */
async function setup(baseURL: string, label: string, dayOffset: number): Promise<Setup> {
  const api = await serverSession(baseURL, 'admin@northside.example');
  const vet = await practitionerNamed(api);
  const booked = await makeHousehold(api, `${label}A`);
  const other = await makeHousehold(api, `${label}B`);
  const day = dayFromToday(dayOffset);
  const existing = await bookAtOnServer(api, {
    petId: booked.pet.id,
    practitionerId: vet.id,
    day,
    hour: 11,
    durationMinutes: 20,
    title: `Checkup — ${booked.pet.name}`,
  });
  return { api, day, vet, booked, other, existing };
}

async function fillBooking(page: Page, s: Setup, time: string, duration = '30'): Promise<void> {
  await page.goto(`/appointments/new?date=${s.day}`);
  await expect(page.getByRole('heading', { name: 'Book an appointment' })).toBeVisible();
  await page.getByLabel('Client').selectOption(String(s.other.client.id));
  await expect(page.getByLabel('Pet')).toHaveValue(String(s.other.pet.id));
  await page.getByLabel('Practitioner').selectOption(String(s.vet.id));
  await page.getByLabel('Duration').selectOption(duration);
  await page.getByLabel('Time', { exact: true }).fill(time);
}

const warning = (page: Page) => page.getByTestId('clash-warning');

test('offline, the form warns before Save and a tapped free time takes the slot', async ({
  page,
  context,
  baseURL,
}) => {
  const s = await setup(baseURL!, 'Clash', DAY_OFFSET);
  await signInThroughUi(page);
  await context.setOffline(true);

  await fillBooking(page, s, '11:10');
  await expect(warning(page)).toContainText(`Dr. Sam Patel already has ${s.booked.pet.name} at`);
  await expect(warning(page)).toContainText(/11.00.*–11.20/);

  // Save is refused until the user decides; nothing is queued.
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.getByRole('alert')).toContainText('overlaps another appointment');
  await expect(page.getByTestId('free-slots').getByRole('button').first()).toBeFocused();
  expect((await askWorker<unknown[]>(page, { type: 'GET_OPERATIONS' })).length).toBe(0);

  // The free time right after Jasper's visit (nearest to 11:10) is offered; a tap takes it.
  const slots = page.getByTestId('free-slots').getByRole('button');
  await expect(slots).toHaveCount(8);
  await slots.filter({ hasText: /^11.20/ }).click();
  await expect(page.getByLabel('Time', { exact: true })).toHaveValue('11:20');
  await expect(page.getByLabel('Time', { exact: true })).toBeFocused();
  await expect(warning(page)).toBeHidden();
  await expect(page.getByRole('alert')).toBeHidden();
  await page.getByRole('button', { name: 'Book appointment' }).click();
  const row = page.locator('a.row', { hasText: s.other.pet.name });
  await expect(row).toBeVisible();
  await expect(row).toContainText(/11.20/);
  await expect(row.getByText('Double-booked on purpose')).toHaveCount(0);
  await s.api.dispose();
});

test('double-booked on purpose: both kept, the booking marked in the list and the form', async ({
  page,
  context,
  baseURL,
}) => {
  const s = await setup(baseURL!, 'OnPurpose', DAY_OFFSET + 1);
  await signInThroughUi(page);
  await context.setOffline(true);

  await fillBooking(page, s, '11:00', '15');
  await expect(warning(page)).toContainText(`Dr. Sam Patel already has ${s.booked.pet.name} at`);
  await page.getByRole('checkbox', { name: /Double-book on purpose/ }).check();
  await page.getByRole('button', { name: 'Book appointment' }).click();

  const row = page.locator('a.row', { hasText: s.other.pet.name });
  await expect(row.getByText('Double-booked on purpose')).toBeVisible();
  await expect(page.locator('a.row', { hasText: s.booked.pet.name }).getByText('Double-booked on purpose')).toHaveCount(
    0,
  );
  const ops = await askWorker<{ operation: string; data: Record<string, unknown> }[]>(page, { type: 'GET_OPERATIONS' });
  expect(ops.map((op) => [op.operation, op.data.overlapAllowed])).toEqual([['create', true]]);

  // The form shows the mark and the choice; the overlap is still listed.
  await row.click();
  await expect(page.getByRole('heading', { name: 'Edit appointment' })).toBeVisible();
  await expect(page.getByText('Double-booked on purpose', { exact: true })).toBeVisible();
  await expect(warning(page)).toContainText(s.booked.pet.name);
  await expect(page.getByRole('checkbox', { name: /Double-book on purpose/ })).toBeChecked();
  await s.api.dispose();
});

test('editing checks the same way, never against the appointment itself', async ({ page, context, baseURL }) => {
  const s = await setup(baseURL!, 'EditClash', DAY_OFFSET + 2);
  await signInThroughUi(page);
  await context.setOffline(true);
  // The other household's pet sees Dr. Patel right after, at 11:20–11:50.
  await fillBooking(page, s, '11:20');
  await expect(warning(page)).toBeHidden();
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.locator('a.row', { hasText: s.other.pet.name })).toBeVisible();

  await page.goto(`/appointments/${s.existing.id}`);
  await expect(page.getByRole('heading', { name: 'Edit appointment' })).toBeVisible();
  await expect(page.getByLabel('Time', { exact: true })).toHaveValue('11:00');
  await page.getByLabel('Notes').fill('Checked offline');
  await expect(warning(page)).toBeHidden();

  await page.getByLabel('Time', { exact: true }).fill('11:10');
  await expect(warning(page)).toContainText(`Dr. Sam Patel already has ${s.other.pet.name} at`);
  // Another practitioner frees it (the pet itself has nothing else then).
  await page.getByLabel('Practitioner').selectOption({ label: 'Dr. Lena Okafor' });
  await expect(warning(page)).toBeHidden();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: 'Appointments', level: 1 })).toBeVisible();
  await s.api.dispose();
});
