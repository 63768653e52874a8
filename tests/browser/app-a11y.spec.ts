/**
 * Accessibility scan (axe-core, WCAG 2.1 A/AA rules) of every screen, the offline indicator, the
 * conflict dialog, confirmations and the sign-out warning: no serious or critical violation.
 */
import { expect } from '@playwright/test';
import {
  bookAtOnServer,
  bookOnServer,
  dayFromToday,
  expectNoSeriousViolations,
  chooseMoveMine,
  indicator,
  holdDoubleBooking,
  makeHousehold,
  openHeldDoubleBooking,
  practitionerNamed,
  signInThroughUi,
  test,
} from './app-helpers.ts';
import { waitForServiceWorkerControl } from './helpers.ts';

test('every screen passes axe with no serious or critical violations', async ({ page, context }) => {
  test.setTimeout(180_000); // ten axe runs; slow when the machine is busy
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();
  await expectNoSeriousViolations(page, 'sign in');

  await signInThroughUi(page);
  await expect(page.locator('a.row').first()).toBeVisible();
  await expectNoSeriousViolations(page, 'appointments');

  await page.getByRole('link', { name: '+ Book appointment' }).click();
  await expect(page.getByRole('heading', { name: 'Book an appointment' })).toBeVisible();
  await page.getByRole('button', { name: 'Book appointment' }).click(); // with errors shown
  await expect(page.getByText('Client is required')).toBeVisible();
  await expectNoSeriousViolations(page, 'book appointment (with errors)');

  await page.getByRole('link', { name: 'Appointments' }).click();
  await page.locator('a.row').first().click();
  await expect(page.getByRole('heading', { name: 'Edit appointment' })).toBeVisible();
  await expectNoSeriousViolations(page, 'edit appointment');

  await page.getByRole('link', { name: 'Clients' }).click();
  await expect(page.locator('a.row').first()).toBeVisible();
  await expectNoSeriousViolations(page, 'clients');

  await page.locator('a.row').first().click();
  await expect(page.getByRole('heading', { name: 'Pets' })).toBeVisible();
  await expectNoSeriousViolations(page, 'client');

  await page.getByRole('link', { name: '+ Add pet' }).click();
  await expect(page.getByRole('heading', { name: /New pet for/ })).toBeVisible();
  await expectNoSeriousViolations(page, 'new pet');

  await page.goto('/clients/new');
  await expect(page.getByRole('heading', { name: 'New client' })).toBeVisible();
  await expectNoSeriousViolations(page, 'new client');

  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Last sync' })).toBeVisible();
  await expectNoSeriousViolations(page, 'sync');

  // Offline: the indicator is showing.
  await context.setOffline(true);
  await page.getByRole('link', { name: 'Appointments' }).click();
  await expect(indicator(page)).toContainText('Offline');
  await expectNoSeriousViolations(page, 'appointments offline');
  await context.setOffline(false);
});

test('the conflict dialog passes axe with no serious or critical violations', async ({ page, makeConflict }) => {
  await makeConflict(6, { title: 'Vet: a11y' }, { title: 'Tablet: a11y', notes: 'a11y note' });
  await indicator(page).getByRole('link', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Resolve…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('radio', { name: /^Choose field by field/ }).check();
  await dialog
    .getByRole('radiogroup', { name: 'Value to keep for Title' })
    .getByRole('radio', { name: 'Other' })
    .check();
  await expectNoSeriousViolations(page, 'conflict dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test('confirmations, refusals and the Sync tab lists pass axe', async ({ page, context, admin: api }) => {
  test.setTimeout(120_000);
  const home = await makeHousehold(api, 'Axe');
  await bookOnServer(api, home.pet.id, 'Axe upcoming visit', 2);
  await signInThroughUi(page, 'admin@northside.example');

  await page.goto(`/clients/${home.client.id}`);
  await page.getByRole('button', { name: 'Delete client…' }).click();
  await expect(page.getByTestId('delete-refused')).toBeVisible();
  await expectNoSeriousViolations(page, 'client delete refused');

  await page.goto(`/clients/${home.client.id}/pets/${home.pet.id}`);
  await page.getByRole('button', { name: 'Delete pet…' }).click();
  await expect(page.getByTestId('cancelled-with-pet')).toBeVisible();
  await expectNoSeriousViolations(page, 'pet delete confirmation');

  await context.setOffline(true);
  await page.goto('/appointments/new');
  await page.getByLabel('Client').selectOption(String(home.client.id));
  await page.getByLabel('Date').fill(dayFromToday(-2));
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.getByRole('group', { name: 'Confirm an unusual booking' })).toBeVisible();
  await expectNoSeriousViolations(page, 'back-dated confirmation');
  await page.getByRole('button', { name: 'Yes, book it' }).click();

  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByTestId('waiting-list')).toBeVisible();
  await expectNoSeriousViolations(page, 'sync with waiting changes');

  await page.getByRole('button', { name: /^Sign out/ }).click();
  await expect(page.getByRole('group', { name: 'Confirm sign-out' })).toBeVisible();
  await expectNoSeriousViolations(page, 'sign-out warning');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await context.setOffline(false);
});

test('double bookings pass axe: the form warning, the on-purpose mark, the dialog and Move mine', async ({
  page,
  context,
  admin: api,
}) => {
  test.setTimeout(120_000);
  const vet = await practitionerNamed(api);
  const first = await makeHousehold(api, 'AxeClashA');
  const second = await makeHousehold(api, 'AxeClashB');
  const day = dayFromToday(50);
  await bookAtOnServer(api, {
    petId: first.pet.id,
    practitionerId: vet.id,
    day,
    hour: 11,
    durationMinutes: 20,
    title: 'Axe existing visit',
  });
  await signInThroughUi(page);
  await context.setOffline(true);

  await page.goto(`/appointments/new?date=${day}`);
  await page.getByLabel('Client').selectOption(String(second.client.id));
  await page.getByLabel('Practitioner').selectOption(String(vet.id));
  await page.getByLabel('Time', { exact: true }).fill('11:10');
  await expect(page.getByTestId('clash-warning')).toBeVisible();
  await expectNoSeriousViolations(page, 'double-booking warning');
  await page.getByRole('checkbox', { name: /Double-book on purpose/ }).check();
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.getByText('Double-booked on purpose').first()).toBeVisible();
  await expectNoSeriousViolations(page, 'double-booked on purpose in the list');

  // A real held booking: booked here offline at 14:00 while the desk books Dr. Patel then too.
  await holdDoubleBooking(page, context, api, {
    clientId: first.client.id,
    petId: first.pet.id,
    practitionerId: vet.id,
    day,
    hour: 14,
    minute: 0,
    title: 'Axe held booking',
    desk: { petId: second.pet.id, title: 'Axe desk booking' },
  });
  await openHeldDoubleBooking(page, 'Axe held booking');
  await expectNoSeriousViolations(page, 'double-booking dialog');
  await chooseMoveMine(page);
  await expectNoSeriousViolations(page, 'move my booking');
});
