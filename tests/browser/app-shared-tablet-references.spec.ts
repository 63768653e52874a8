/**
 * Two people on one tablet, one new pet: Maya Chen (reception) registers Biscuit offline and signs
 * out before it is sent. Dr. Sam Patel signs in and books a visit for Biscuit: his booking names
 * the pet by its temp id, which the server learns only when Maya's create is sent under her name.
 * His syncs send nothing of it and fail nothing; the indicator and the Sync tab say it waits for
 * Maya. Maya signs in (her pet goes), then Sam again: his booking goes by itself, with the right
 * pet and client.
 */
import { expect, type Page } from '@playwright/test';
import type { QueuedOperation } from '../../src/protocol/index.ts';
import { askWorker } from './helpers.ts';
import {
  dayFromToday,
  expectNoSeriousViolations,
  indicator,
  makeHousehold,
  serverGet,
  signInThroughUi,
  test,
  workerState,
  type ServerAppointment,
} from './app-helpers.ts';

/** Sign out; with changes of the person still on the tablet, through the warning. */
async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Sign out/ }).click();
  const warning = page.getByRole('group', { name: 'Confirm sign-out' });
  const signIn = page.getByRole('heading', { name: 'Sign in to SmartDMV' });
  await expect(warning.or(signIn)).toBeVisible();
  if (await warning.isVisible()) await warning.getByRole('button', { name: 'Sign out anyway' }).click();
  await expect(signIn).toBeVisible();
}

async function syncDone(page: Page): Promise<void> {
  await expect.poll(async () => (await workerState(page)).isSyncing, { timeout: 20_000 }).toBe(false);
}

test('a booking for another person’s new pet waits for it (never failed), says so, and goes once the pet was sent', async ({
  page,
  context,
  admin,
}) => {
  const { client } = await makeHousehold(admin, 'SharedRef');
  const petName = `Biscuit${Date.now() % 100_000}`;
  await signInThroughUi(page, 'reception@northside.example');

  // Maya, offline: a new pet for the client, then Sign out before it is sent.
  await context.setOffline(true);
  await page.goto(`/clients/${client.id}`);
  await page.getByRole('link', { name: '+ Add pet' }).click();
  await page.getByLabel('Name').fill(petName);
  await page.getByLabel('Species').fill('Dog');
  await page.getByRole('button', { name: 'Register pet' }).click();
  await expect(page.locator('a.pet', { hasText: petName }).getByText('Not synced')).toBeVisible();
  await signOut(page);
  await context.setOffline(false);

  // Dr. Sam Patel signs in and books a visit for Biscuit (online: the write starts a sync).
  await signInThroughUi(page, 'vet@northside.example');
  await page.goto('/appointments/new');
  await page.getByLabel('Client').selectOption({ label: client.name });
  await page.getByLabel('Pet').selectOption({ label: `${petName} (Dog)` });
  // Nobody else's time to clash with: no practitioner yet, a day ahead.
  await page.getByLabel('Practitioner').selectOption({ label: 'Not assigned yet' });
  await page.getByLabel('Date').fill(dayFromToday(1));
  await page.getByLabel('Time', { exact: true }).fill('15:40');
  const title = `First visit ${petName}`;
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.locator('a.row', { hasText: title }).getByText('Not synced')).toBeVisible();
  await syncDone(page);

  // Not failed, not sent: it waits. The indicator counts it apart (no Sync Now for it, never "synced").
  await expect
    .poll(async () => (await workerState(page)).stats)
    .toMatchObject({
      pending: 2,
      failed: 0,
      waitingForOthers: 1,
      waitingForChanges: 1,
    });
  await expect(indicator(page).getByTestId('waiting-count')).toHaveText('1 waiting');
  await expect(indicator(page).getByTestId('pending-count')).toHaveCount(0);
  await expect(indicator(page).getByRole('button', { name: 'Sync Now' })).toHaveCount(0);

  // The Sync tab says what it waits for and when it goes.
  await indicator(page).getByRole('link', { name: 'Details' }).click();
  const booking = page.locator('sync-engine-panel li', { hasText: title });
  await expect(booking).toContainText(
    `Waits for Maya Chen’s new pet “${petName}” to be sent: it goes when Maya Chen signs in and syncs.`,
  );
  await expect(booking.locator('.badge')).toHaveText('Waiting for Maya Chen to sign in');
  await expect(page.getByTestId('queue-failed')).toHaveText('0');
  // The figures add up to the queue: nothing a sync of his sends, and what waits, for whom.
  await expect(page.getByTestId('queue-pending')).toHaveText('0');
  await expect(page.getByTestId('queue-pending-note')).toHaveText(
    '+1 waiting for Maya Chen, +1 waiting for another change',
  );
  await expect(page.locator('sync-engine-panel').getByTestId('waiting-count')).toHaveText('(2)');
  // The indicator still counts it, with no Details link to the page it is on.
  await expect(indicator(page).getByTestId('waiting-count')).toHaveText('1 waiting');
  await expect(indicator(page).getByRole('link')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('sync-tab-waits-for-new-pet.png'), fullPage: true });
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.screenshot({ path: test.info().outputPath('sync-tab-waits-for-new-pet-portrait.png'), fullPage: true });
  await page.setViewportSize({ width: 1024, height: 768 });
  await expectNoSeriousViolations(page, 'Sync tab, a booking waiting for another person’s new pet');

  // Sync Now with only such rows left ends at once, and honestly: still waiting, nothing failed.
  const started = Date.now();
  await page.getByRole('button', { name: 'Sync Now' }).click();
  await syncDone(page);
  expect(Date.now() - started).toBeLessThan(5_000);
  await expect(booking).toContainText('it goes when Maya Chen signs in and syncs');
  const rows = await askWorker<QueuedOperation[]>(page, { type: 'GET_OPERATIONS' });
  const petRow = rows.find((r) => r.entityType === 'pets')!;
  expect(rows.find((r) => r.entityType === 'appointments')).toMatchObject({
    status: 'pending',
    waitsFor: { operationId: petRow.id, reason: 'reference' },
  });
  expect(await serverGet<ServerAppointment[]>(admin, `/api/appointments?clientId=${client.id}`)).toEqual([]);

  // Maya signs in: her pet reaches the server (Sam's booking does not: it is his).
  await signOut(page);
  await signInThroughUi(page, 'reception@northside.example');
  let petId = 0;
  await expect
    .poll(
      async () => {
        const pets = await serverGet<{ id: number; name: string }[]>(admin, `/api/pets?ownerId=${client.id}`);
        petId = pets.find((p) => p.name === petName)?.id ?? 0;
        return petId;
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(0);

  // Sam signs in again: his booking goes with the sign-in's sync, with the right pet and client.
  await signOut(page);
  await signInThroughUi(page, 'vet@northside.example');
  await expect
    .poll(
      async () =>
        (await serverGet<ServerAppointment[]>(admin, `/api/appointments?petId=${petId}`))
          .filter((a) => a.title === title)
          .map((a) => ({ petId: a.petId, clientId: a.clientId })),
      { timeout: 20_000 },
    )
    .toEqual([{ petId, clientId: client.id }]);
  await syncDone(page);
  const state = await workerState(page);
  expect(state.stats.pending + state.stats.inFlight + state.stats.failed).toBe(0);
  await expect(indicator(page)).toBeHidden();
});
