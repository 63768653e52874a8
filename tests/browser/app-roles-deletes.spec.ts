/**
 * Roles and deletions in the screens (decisions D2 and D3): the front desk sees "Delete client…"
 * and "Delete pet…" disabled with the permission table's sentence; an administrator deletes a pet
 * after a confirmation that names the upcoming appointments cancelled with it (not past or already
 * cancelled ones), and a client only once they have no pets. Deletions sync to the server. Offline
 * the worker applies the same rules (issue 9, items 3 and 11).
 */
import { expect } from '@playwright/test';
import {
  bookOnServer,
  localDay,
  makeHousehold,
  serverGet,
  serverStatus,
  signInThroughUi,
  type ServerAppointment,
  test,
} from './app-helpers.ts';
import { pageFetch } from './helpers.ts';

test('the front desk sees the delete actions disabled, with the reason', async ({ page, context, admin: api }) => {
  const home = await makeHousehold(api, 'Desk');
  await signInThroughUi(page);

  await page.goto(`/clients/${home.client.id}`);
  await expect(page.getByRole('heading', { name: home.client.name })).toBeVisible();
  const deleteClient = page.getByRole('button', { name: 'Delete client…' });
  await expect(deleteClient).toBeDisabled();
  await expect(deleteClient).toHaveAccessibleDescription('Only administrators may delete clients.');
  await expect(page.getByText('Only administrators may delete clients.')).toBeVisible();
  await expect(page.getByRole('link', { name: '+ Add pet' })).toBeVisible(); // staff add pets

  await page.goto(`/clients/${home.client.id}/pets/${home.pet.id}`);
  const deletePet = page.getByRole('button', { name: 'Delete pet…' });
  await expect(deletePet).toBeDisabled();
  await expect(page.getByText('Only administrators may delete pets.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Book appointment' })).toBeVisible();

  // Offline the worker refuses it as the server would: 403 with the same sentence, nothing queued.
  await context.setOffline(true);
  const refused = await pageFetch(page, 'DELETE', `/api/pets/${home.pet.id}`);
  expect(refused).toEqual({
    status: 403,
    body: { success: false, error: { code: 'FORBIDDEN', message: 'Only administrators may delete pets.' } },
  });
  await context.setOffline(false);
});

test('an administrator deletes a pet (naming the appointments it cancels), then its owner', async ({
  page,
  admin: api,
}) => {
  const home = await makeHousehold(api, 'Admin');
  const soon = await bookOnServer(api, home.pet.id, 'Dental cleaning (upcoming)', 2);
  const later = await bookOnServer(api, home.pet.id, 'Booster shots (upcoming)', 9);
  await bookOnServer(api, home.pet.id, 'Wellness exam (past)', -3);
  await bookOnServer(api, home.pet.id, 'Grooming (cancelled)', 4, 'cancelled');
  await signInThroughUi(page, 'admin@northside.example');

  // The client has a pet: refused, with the reason.
  await page.goto(`/clients/${home.client.id}`);
  await page.getByRole('button', { name: 'Delete client…' }).click();
  const refused = page.getByTestId('delete-refused');
  await expect(refused).toContainText(`${home.client.name} cannot be deleted while they have a pet: ${home.pet.name}.`);
  await refused.getByRole('button', { name: 'OK' }).click();
  await expect(refused).toBeHidden();

  // The pet: the confirmation names exactly the upcoming appointments.
  await page.goto(`/clients/${home.client.id}/pets/${home.pet.id}`);
  await page.getByRole('button', { name: 'Delete pet…' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm deletion' });
  await expect(confirm).toContainText('These 2 upcoming appointments are cancelled with it');
  const listed = confirm.getByTestId('cancelled-with-pet').getByRole('listitem');
  await expect(listed).toHaveCount(2);
  await expect(listed.nth(0)).toContainText(soon.title);
  await expect(listed.nth(1)).toContainText(later.title);
  await expect(confirm).not.toContainText('(past)');
  await expect(confirm).not.toContainText('(cancelled)');
  await expect(confirm.getByRole('button', { name: 'Keep' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Yes, delete pet and cancel them' }).click();

  await expect(page).toHaveURL(`/clients/${home.client.id}`);
  await expect(page.locator('a.pet', { hasText: home.pet.name })).toHaveCount(0);
  await expect(page.getByText('No pets yet.')).toBeVisible();
  await expect.poll(() => serverStatus(api, `/api/pets/${home.pet.id}`), { timeout: 20_000 }).toBe(404);

  // Now the client can go.
  await page.getByRole('button', { name: 'Delete client…' }).click();
  const confirmClient = page.getByRole('group', { name: 'Confirm deletion' });
  await expect(confirmClient).toContainText(`Delete ${home.client.name} from the practice’s records for good?`);
  await confirmClient.getByRole('button', { name: 'Yes, delete client' }).click();
  await expect(page).toHaveURL('/clients');
  await expect(page.locator('a.row', { hasText: home.client.name })).toHaveCount(0);
  await expect.poll(() => serverStatus(api, `/api/users/${home.client.id}`), { timeout: 20_000 }).toBe(404);
});

test('offline, the same rules hold: a client with pets is refused, a deleted pet’s upcoming visits show cancelled at once, and the server agrees', async ({
  page,
  context,
  admin: api,
}) => {
  const home = await makeHousehold(api, 'Offline');
  const upcoming = await bookOnServer(api, home.pet.id, 'Dental cleaning (offline delete)', 1);
  await signInThroughUi(page, 'admin@northside.example');
  await context.setOffline(true);

  // The worker refuses it too (409 HAS_DEPENDENTS naming the pet); the screen says why first.
  await page.goto(`/clients/${home.client.id}`);
  await page.getByRole('button', { name: 'Delete client…' }).click();
  await expect(page.getByTestId('delete-refused')).toContainText(home.pet.name);
  const refused = await pageFetch(page, 'DELETE', `/api/users/${home.client.id}`);
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toContain(`still has 1 pet: ${home.pet.name}`);

  await page.goto(`/clients/${home.client.id}/pets/${home.pet.id}`);
  await page.getByRole('button', { name: 'Delete pet…' }).click();
  await page
    .getByRole('group', { name: 'Confirm deletion' })
    .getByRole('button', { name: 'Yes, delete pet and cancel them' })
    .click();
  await expect(page).toHaveURL(`/clients/${home.client.id}`);

  // Still offline: the visit reads as cancelled on its day.
  await page.goto(`/appointments?date=${localDay(upcoming.date)}`);
  const row = page.locator('a.row', { hasText: upcoming.title });
  await expect(row).toHaveClass(/cancelled/);
  await expect(row.getByText('Cancelled')).toBeVisible();

  // Online: one change goes (the pet); the server cancels the same visit.
  await context.setOffline(false);
  await expect.poll(() => serverStatus(api, `/api/pets/${home.pet.id}`), { timeout: 20_000 }).toBe(404);
  await expect
    .poll(async () => (await serverGet<ServerAppointment>(api, `/api/appointments/${upcoming.id}`)).status, {
      timeout: 20_000,
    })
    .toBe('cancelled');
});
