/**
 * Tablet-size screenshots for the README and for looking at: 1024x768 landscape and 768x1024
 * portrait. Writes docs/screenshots/*.png, so it only runs when asked: `npm run screenshots`
 * (playwright.config.ts leaves it out otherwise).
 */
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import {
  bookAtOnServer,
  chooseMoveMine,
  dayFromToday,
  indicator,
  holdDoubleBooking,
  openHeldDoubleBooking,
  practitionerNamed,
  serverGet,
  test,
} from './app-helpers.ts';
import { askWorker, pageFetch, waitForServiceWorkerControl } from './helpers.ts';

const DIR = 'docs/screenshots';
const SIZES = [
  { name: 'landscape', width: 1024, height: 768 },
  { name: 'portrait', width: 768, height: 1024 },
] as const;

test.setTimeout(120_000);

async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.mouse.move(0, 0); // no hover highlight where the last click was
    await page.waitForTimeout(150); // layout and the indicator's resize observer
    await page.screenshot({ path: `${DIR}/${name}-${size.name}.png` });
  }
  await page.setViewportSize({ width: 1024, height: 768 });
}

test('tablet screenshots', async ({ page, context, admin, makeConflict }) => {
  mkdirSync(DIR, { recursive: true });
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();
  await shoot(page, '01-sign-in');

  // The conflict is made first (it signs in); the other screens follow in the same session.
  await makeConflict(
    7,
    { title: 'Dental — Vet’s title', durationMinutes: '45' },
    {
      title: 'Dental — Reception’s title',
      notes: 'Owner will bring previous X-rays',
    },
  );

  await page.goto('/appointments');
  await expect(page.locator('a.row').first()).toBeVisible();
  await shoot(page, '02-appointments');

  await context.setOffline(true);
  await page.getByRole('link', { name: '+ Book appointment' }).click();
  await page.getByLabel('Date').fill(dayFromToday(1)); // 17:30 today may have passed: the form would ask
  await page.getByLabel('Client').selectOption({ index: 3 });
  const pet = page.getByLabel('Pet');
  if ((await pet.inputValue()) === '') await pet.selectOption({ index: 1 });
  await page.getByLabel('Time', { exact: true }).fill('17:30');
  await page.getByLabel('Notes').fill('Booked at the desk while the network was down.');
  await shoot(page, '03-book-appointment-offline');
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.getByText('Not synced').first()).toBeVisible();
  await expect(indicator(page)).toContainText('Offline');
  await shoot(page, '04-appointments-offline-not-synced');

  await page.getByRole('link', { name: 'Clients' }).click();
  await expect(page.locator('a.row').first()).toBeVisible();
  await shoot(page, '05-clients');
  await page.locator('a.row').first().click();
  await expect(page.getByRole('heading', { name: 'Pets' })).toBeVisible();
  await shoot(page, '06-client');

  // Still offline: the booking waits in the Sync tab's list, beside the conflict.
  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByTestId('unresolved-count')).toHaveText('(1 unresolved)');
  await expect(page.getByTestId('waiting-list')).toBeVisible();
  await shoot(page, '07-sync');
  await context.setOffline(false);
  await expect(page.getByTestId('waiting-count')).toHaveText('(0)', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Resolve…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('radio', { name: /^Combine both/ }).check();
  await shoot(page, '08-conflict-dialog-merge');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // A visit typed on a past day asks first.
  await page.goto('/appointments/new');
  await page.getByLabel('Client').selectOption({ index: 3 });
  const petAgain = page.getByLabel('Pet');
  if ((await petAgain.inputValue()) === '') await petAgain.selectOption({ index: 1 });
  await page.getByLabel('Date').fill(dayFromToday(-1));
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.getByRole('group', { name: 'Confirm an unusual booking' })).toBeVisible();
  await page.getByRole('group', { name: 'Confirm an unusual booking' }).scrollIntoViewIfNeeded();
  await shoot(page, '09-book-back-dated');

  // Double bookings. Dr. Sam Patel sees a pet at 11:00 in three weeks (a day the demo data leaves
  // free); the desk books another family's pet with him at 11:10: the form warns before Save.
  const patel = await practitionerNamed(admin);
  const pets = await serverGet<{ id: number; name: string; ownerId: number }[]>(admin, '/api/pets');
  const firstPet = pets[0]!;
  const secondPet = pets.find((p) => p.ownerId !== firstPet.ownerId && p.name !== firstPet.name)!;
  const day = dayFromToday(21);
  await bookAtOnServer(admin, {
    petId: firstPet.id,
    practitionerId: patel.id,
    day,
    hour: 11,
    durationMinutes: 20,
    title: `Dental — ${firstPet.name}`,
    type: 'dental',
  });
  await askWorker(page, { type: 'SYNC_NOW' });
  await page.goto(`/appointments/new?date=${day}`);
  await page.getByLabel('Client').selectOption(String(secondPet.ownerId));
  await page.getByLabel('Pet').selectOption(String(secondPet.id));
  await page.getByLabel('Practitioner').selectOption(String(patel.id));
  await page.getByLabel('Time', { exact: true }).fill('11:10');
  const warning = page.getByTestId('clash-warning');
  await expect(warning).toContainText('Dr. Sam Patel already has');
  await warning.scrollIntoViewIfNeeded();
  await shoot(page, '10-book-double-booking-warning');

  await page.getByRole('checkbox', { name: /Double-book on purpose/ }).check();
  // Offline, so the list shows the booking as the tablet keeps it, not synced yet.
  await context.setOffline(true);
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.getByText('Double-booked on purpose').first()).toBeVisible();
  await shoot(page, '11-double-booked-on-purpose');

  // A real held double booking: this tablet books the second pet with Dr. Patel at 14:00 offline,
  // while the front desk books the first pet with him then; back online, the push is held.
  await holdDoubleBooking(page, context, admin, {
    clientId: secondPet.ownerId,
    petId: secondPet.id,
    practitionerId: patel.id,
    day,
    hour: 14,
    minute: 0,
    title: `Checkup — ${secondPet.name}`,
    desk: { petId: firstPet.id, title: `Vaccination — ${firstPet.name}` },
  });
  await openHeldDoubleBooking(page, `Checkup — ${secondPet.name}`);
  await shoot(page, '12-conflict-dialog-double-booking');
  await chooseMoveMine(page);
  await shoot(page, '13-move-my-booking');

  // Sign out with a change not yet on the server: the warning says what happens to it.
  await context.setOffline(true);
  const { body: clients } = await pageFetch<{ data: { id: number }[] }>(page, 'GET', '/api/users?role=CLIENT');
  await pageFetch(page, 'PATCH', `/api/users/${clients.data[0]!.id}`, { phone: '555-0142' });
  await page.goto('/appointments');
  await page.getByRole('button', { name: /^Sign out/ }).click();
  const signOutWarning = page.getByRole('group', { name: 'Confirm sign-out' });
  await expect(signOutWarning).toBeVisible();
  await shoot(page, '14-sign-out-warning');
  await signOutWarning.getByRole('button', { name: 'Cancel' }).click();
  await context.setOffline(false);
});
