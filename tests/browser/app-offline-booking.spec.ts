/**
 * The staff app's offline promise, through the UI: sign in, go offline, book an appointment, see
 * the "Not synced" badge and 1 pending, go online, press Sync Now, see the real id and 0 pending.
 */
import { expect, test } from '@playwright/test';
import {
  dayFromToday,
  indicator,
  localDay,
  serverSession,
  signInThroughUi,
  workerState,
  type ServerAppointment,
} from './app-helpers.ts';

test('book an appointment offline, then Sync Now gives it its real id', async ({ page, context, baseURL }) => {
  await signInThroughUi(page);
  await expect(page.getByRole('heading', { name: 'Appointments', level: 1 })).toBeVisible();

  // Hold back automatic syncs (Background Sync fires by itself when the network returns) so that
  // this test is the one pressing Sync Now. Network errors keep the operation queued.
  let holdSync = true;
  await context.route('**/api/sync/push', (route) =>
    holdSync ? route.abort('internetdisconnected') : route.continue(),
  );

  await context.setOffline(true);
  await expect(indicator(page)).toContainText('Offline');

  await page.getByRole('link', { name: '+ Book appointment' }).click();
  await expect(page.getByRole('heading', { name: 'Book an appointment' })).toBeVisible();
  // Tomorrow: a time today may already have passed when the suite runs (the form would ask first).
  await page.getByLabel('Date').fill(dayFromToday(1));
  await page.getByLabel('Client').selectOption({ index: 1 });
  const pet = page.getByLabel('Pet');
  if ((await pet.inputValue()) === '') await pet.selectOption({ index: 1 });
  const petId = Number(await pet.inputValue());
  const clientId = Number(await page.getByLabel('Client').inputValue());
  await page.getByLabel('Type').selectOption('vaccination');
  await page.getByLabel('Time', { exact: true }).fill('16:45');
  await page.getByLabel('Duration').selectOption('20');
  const title = `Offline booking ${Date.now()}`;
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Notes').fill('Booked while the clinic network was down');
  await page.getByRole('button', { name: 'Book appointment' }).click();

  // Back on the day: the new row carries the badge and a temp id; the indicator counts it.
  const row = page.locator('a.row', { hasText: title });
  await expect(row).toBeVisible();
  await expect(row.getByText('Not synced')).toBeVisible();
  await expect(row).toHaveAttribute('href', /^\/appointments\/temp_appt_/);
  await expect(indicator(page).getByTestId('pending-count')).toHaveText('1 pending');
  expect((await workerState(page)).stats.pending).toBe(1);

  // Online again. Background Sync tries at once; the route above refuses it, the worker retries
  // with backoff (a few seconds), then hands the work back, still queued: Sync Now appears.
  await context.setOffline(false);
  const syncNow = indicator(page).getByRole('button', { name: 'Sync Now' });
  await expect(syncNow).toBeVisible({ timeout: 30_000 });
  await expect(indicator(page).getByTestId('pending-count')).toHaveText('1 pending');
  // Let the automatic run finish giving up first: released during its backoff, it would sync by
  // itself and the button would be gone before the click.
  await expect.poll(async () => (await workerState(page)).isSyncing, { timeout: 30_000 }).toBe(false);
  holdSync = false;
  await syncNow.click();

  await expect(row).toHaveAttribute('href', /^\/appointments\/\d+$/, { timeout: 15_000 });
  await expect(row.getByText('Not synced')).toHaveCount(0);
  await expect(indicator(page)).toBeHidden();
  const realId = Number((await row.getAttribute('href'))?.split('/').pop());
  const state = await workerState(page);
  expect(state.stats.pending + state.stats.inFlight).toBe(0);

  // The Sync tab agrees, and the edit form shows the real reference.
  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByTestId('queue-pending')).toHaveText('0');
  await page.goto(`/appointments/${realId}`);
  await expect(page.getByTestId('record-reference')).toHaveText(`Reference #${realId}`);

  // The server has it once, with clientId derived from the pet's owner.
  const api = await serverSession(baseURL!, 'admin@northside.example');
  const onServer = await api.get(`/api/appointments/${realId}`);
  expect(onServer.status()).toBe(200);
  const record = ((await onServer.json()) as { data: ServerAppointment }).data;
  expect(record).toMatchObject({ title, petId, clientId, durationMinutes: '20' });
  const sameDay = (
    (await (await api.get(`/api/appointments?date=${localDay(record.date)}`)).json()) as { data: ServerAppointment[] }
  ).data;
  expect(sameDay.filter((a) => a.title === title)).toHaveLength(1);
  await api.dispose();
});

test('an open edit form of a temp record gets its real id without losing the typing', async ({ page, context }) => {
  await signInThroughUi(page);
  await context.setOffline(true);
  await page.getByRole('link', { name: '+ Book appointment' }).click();
  await page.getByLabel('Date').fill(dayFromToday(1)); // not a time today that has passed
  await page.getByLabel('Client').selectOption({ index: 2 });
  const pet = page.getByLabel('Pet');
  if ((await pet.inputValue()) === '') await pet.selectOption({ index: 1 });
  const title = `Temp edit ${Date.now()}`;
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await page.locator('a.row', { hasText: title }).click();
  await expect(page).toHaveURL(/\/appointments\/temp_appt_/);
  await expect(page.getByTestId('record-reference')).toHaveText('Reference: assigned when synced');

  // The user is typing when the sync lands.
  await page.getByLabel('Notes').fill('Owner asked for the last slot');
  await context.setOffline(false);
  await expect(page.getByTestId('record-reference')).toHaveText(/Reference #\d+/, { timeout: 15_000 });
  // The worker keeps the record under its temp id for good: the address stays valid.
  await expect(page).toHaveURL(/\/appointments\/temp_appt_/);
  await expect(page.getByLabel('Notes')).toHaveValue('Owner asked for the last slot');
  await expect(page.getByText('Not synced')).toHaveCount(0);

  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('a.row', { hasText: title })).toBeVisible();
});
