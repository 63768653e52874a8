/**
 * A change the server refuses (the pet was deleted meanwhile) shows in the Sync tab with its reason;
 * Retry sends it again, Discard (confirmed) drops it and undoes it on the tablet.
 */
import { expect } from '@playwright/test';
import { dayFromToday, indicator, signInThroughUi, test, workerState } from './app-helpers.ts';

test('a refused booking is listed with its reason, retried, then discarded', async ({ page, context, admin: api }) => {
  // The front desk PC registers a pet; the tablet gets it with its first pull.
  const owners = ((await (await api.get('/api/users?role=CLIENT')).json()) as { data: { id: number; name: string }[] })
    .data;
  const owner = owners[owners.length - 1]!;
  const created = await api.post('/api/pets', {
    data: { name: `Ghost ${Date.now()}`, species: 'Cat', ownerId: owner.id },
  });
  expect(created.status(), await created.text()).toBe(201);
  const pet = ((await created.json()) as { data: { id: number; name: string } }).data;

  await signInThroughUi(page);
  await context.setOffline(true);
  await page.getByRole('link', { name: '+ Book appointment' }).click();
  // Tomorrow: a time today may already have passed when the suite runs (the form would ask first).
  await page.getByLabel('Date').fill(dayFromToday(1));
  await page.getByLabel('Client').selectOption({ label: owner.name });
  await page.getByLabel('Pet').selectOption(String(pet.id));
  const title = `Refused booking ${Date.now()}`;
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.locator('a.row', { hasText: title })).toBeVisible();

  // Meanwhile the pet is deleted on the server.
  expect((await api.delete(`/api/pets/${pet.id}`)).status()).toBe(200);

  await context.setOffline(false);
  await expect(indicator(page)).toContainText('1 failed', { timeout: 30_000 });
  await indicator(page).getByRole('link', { name: 'Review' }).click();
  const failed = page.getByRole('list', { name: 'Failed changes' }).getByRole('listitem');
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText(`New appointment “${title}”`);
  await expect(failed).toContainText('PET_NOT_FOUND');

  // Retry really sends it again: the attempt count grows, and the server refuses it again.
  const attempts = async () => Number(/(\d+) attempts?/.exec((await failed.textContent()) ?? '')?.[1] ?? 0);
  const before = await attempts();
  await failed.getByRole('button', { name: 'Retry' }).click();
  await expect.poll(attempts, { timeout: 20_000 }).toBeGreaterThan(before);
  await expect(page.getByTestId('queue-failed')).toHaveText('1');
  await expect(failed).toContainText('PET_NOT_FOUND');

  await failed.getByRole('button', { name: 'Discard' }).click();
  await failed.getByRole('button', { name: 'Confirm discard' }).click();
  await expect(page.getByTestId('queue-failed')).toHaveText('0');
  await expect(page.getByRole('list', { name: 'Failed changes' })).toHaveCount(0);
  expect((await workerState(page)).stats.failed).toBe(0);

  // Discarding a create removes the record from the tablet.
  await page.getByRole('link', { name: 'Appointments' }).click();
  await expect(page.getByRole('heading', { name: 'Appointments', level: 1 })).toBeVisible();
  await expect(page.locator('a.row', { hasText: title })).toHaveCount(0);
});
