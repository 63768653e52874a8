/**
 * Clients and pets through the UI, offline: a new client, their new pet and an appointment for that
 * pet are created with temp ids, then sync in one go; the screens follow the real ids.
 */
import { expect, test } from '@playwright/test';
import {
  dayFromToday,
  serverGet,
  serverSession,
  signInThroughUi,
  workerState,
  type ServerAppointment,
} from './app-helpers.ts';

test('a new client, their pet and an appointment made offline all reach the server', async ({
  page,
  context,
  baseURL,
}) => {
  await signInThroughUi(page);
  await context.setOffline(true);

  const stamp = Date.now();
  const clientName = `Noor Haddad ${stamp}`;
  await page.getByRole('link', { name: 'Clients' }).click();
  await page.getByRole('link', { name: '+ New client' }).click();
  await page.getByLabel('Name').fill(clientName);
  await page.getByLabel('Phone').fill('+1 555 0199');
  await page.getByRole('button', { name: 'Create client' }).click();
  await expect(page).toHaveURL(/\/clients\/temp_user_/);
  await expect(page.getByRole('heading', { name: clientName })).toBeVisible();
  await expect(page.getByText('Not synced').first()).toBeVisible();

  await page.getByRole('link', { name: '+ Add pet' }).click();
  await page.getByLabel('Name').fill('Pixel');
  await page.getByLabel('Species').fill('Cat');
  await page.getByLabel('Breed').fill('Siamese');
  await page.getByRole('button', { name: 'Register pet' }).click();
  const petCard = page.locator('a.pet', { hasText: 'Pixel' });
  await expect(petCard).toBeVisible();
  await expect(petCard.getByText('Not synced')).toBeVisible();

  // Book for the new pet (tomorrow: the form asks first about a time today that has passed) with the
  // temp client and pet the form offers.
  await page.goto(`/appointments/new?date=${dayFromToday(1)}`);
  await page.getByLabel('Client').selectOption({ label: clientName });
  await expect(page.getByLabel('Pet')).toHaveValue(/^temp_pet_/); // their only pet, chosen for them
  const title = `First visit ${stamp}`;
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.locator('a.row', { hasText: title }).getByText('Not synced')).toBeVisible();
  expect((await workerState(page)).stats.pending).toBe(3);

  await context.setOffline(false); // Background Sync sends all three
  const row = page.locator('a.row', { hasText: title });
  await expect(row).toHaveAttribute('href', /^\/appointments\/\d+$/, { timeout: 30_000 });
  await expect(row.getByText('Not synced')).toHaveCount(0);
  const appointmentId = Number((await row.getAttribute('href'))?.split('/').pop());

  await page.getByRole('link', { name: 'Clients' }).click();
  await page.getByLabel('Search clients and pets').fill(String(stamp));
  const clientRow = page.locator('a.row', { hasText: clientName });
  await expect(clientRow).toHaveAttribute('href', /^\/clients\/\d+$/);
  const clientId = Number((await clientRow.getAttribute('href'))?.split('/').pop());
  await clientRow.click();
  await expect(page.locator('a.pet', { hasText: 'Pixel' })).toHaveAttribute(
    'href',
    new RegExp(`^/clients/${clientId}/pets/\\d+$`),
  );

  // On the server: the appointment's client is the new client (derived from the new pet's owner).
  const api = await serverSession(baseURL!, 'admin@northside.example');
  const appointment = await serverGet<ServerAppointment>(api, `/api/appointments/${appointmentId}`);
  expect(appointment).toMatchObject({ title, clientId });
  await api.dispose();
});
