/**
 * The Sync tab and the indicator (issue 11 item 3): the waiting changes are listed (what, which
 * record, when, by whom) and the dot is not green while they wait; "Last sync" is the last run
 * that did something; failed changes go all at once after a confirmation; records the tablet
 * could not read are listed for support; the conflict dialog drops a stale error, lists what only
 * the server changed and gives notes a multi-line box; "Recently resolved" is a disclosure naming
 * the strategy; the settings' checkboxes are 44 px targets.
 */
import { expect } from '@playwright/test';
import {
  dayFromToday,
  indicator,
  makeHousehold,
  serverPatch,
  signInThroughUi,
  workerState,
  test,
} from './app-helpers.ts';

/**
 * A booking of the client's pet at `time` tomorrow (two at one time would be a double booking; a
 * time today may already have passed, and the form would ask first).
 */
async function bookOffline(
  page: import('@playwright/test').Page,
  clientId: number,
  title: string,
  time: string,
): Promise<void> {
  await page.goto(`/appointments/new?date=${dayFromToday(1)}`);
  await page.getByLabel('Client').selectOption(String(clientId));
  await page.getByLabel('Time', { exact: true }).fill(time);
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.locator('a.row', { hasText: title })).toBeVisible();
}

test('waiting changes are listed with what, which record, when and who; the dot is amber; Last sync follows', async ({
  page,
  context,
  admin: api,
}) => {
  const home = await makeHousehold(api, 'Queue');
  await signInThroughUi(page);
  await context.setOffline(true);
  const stamp = Date.now();
  await bookOffline(page, home.client.id, `Queued one ${stamp}`, '09:00');
  await bookOffline(page, home.client.id, `Queued two ${stamp}`, '10:00');
  await page.goto(`/clients/${home.client.id}`);
  await page.getByLabel('Phone').fill('+1 555 0142');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved on this tablet')).toBeVisible();

  // Changes wait: the dot is amber, not green.
  await expect(indicator(page)).toContainText('3 pending');
  const dot = indicator(page).locator('.dot');
  await expect(dot).toHaveCSS('background-color', 'rgb(180, 83, 9)');

  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByTestId('waiting-count')).toHaveText('(3)');
  const rows = page.getByTestId('waiting-list').getByRole('listitem');
  await expect(rows.nth(0)).toContainText(`New appointment “Queued one ${stamp}”`);
  await expect(rows.nth(0)).toContainText('by Maya Chen');
  await expect(rows.nth(0)).toContainText('reference (not on the server yet)');
  await expect(rows.nth(0)).toContainText('Waiting');
  await expect(rows.nth(2)).toContainText(`Change to client “${home.client.name}”`);
  await expect(rows.nth(2)).toContainText('Changed: Phone');
  await expect(rows.nth(2)).toContainText(`reference #${home.client.id}`);

  await context.setOffline(false);
  await expect(page.getByTestId('waiting-count')).toHaveText('(0)', { timeout: 30_000 });
  await expect(page.getByTestId('result-pushed')).toHaveText('3');
  // A later run with nothing to do does not replace it.
  await page.getByRole('button', { name: 'Sync Now' }).click();
  await expect(page.getByText(/Checked again .*: nothing new\./)).toBeVisible();
  await expect(page.getByTestId('result-pushed')).toHaveText('3');
});

test('"Discard all failed" asks first, then drops every failed change', async ({ page, context, admin: api }) => {
  const home = await makeHousehold(api, 'Ghost');
  await signInThroughUi(page);
  await context.setOffline(true);
  const stamp = Date.now();
  await bookOffline(page, home.client.id, `Refused one ${stamp}`, '09:00');
  await bookOffline(page, home.client.id, `Refused two ${stamp}`, '10:00');
  expect((await api.delete(`/api/pets/${home.pet.id}`)).status()).toBe(200); // meanwhile, on the server
  await context.setOffline(false);
  await expect(indicator(page)).toContainText('2 failed', { timeout: 30_000 });

  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByTestId('queue-failed')).toHaveText('2');
  await page.getByRole('button', { name: 'Discard all failed…' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm discarding all failed changes' });
  await expect(confirm).toContainText('Discard 2 failed changes?');
  await confirm.getByRole('button', { name: 'Keep them' }).click();
  await expect(page.getByTestId('queue-failed')).toHaveText('2');
  await page.getByRole('button', { name: 'Discard all failed…' }).click();
  await confirm.getByRole('button', { name: 'Yes, discard 2' }).click();
  await expect(page.getByTestId('queue-failed')).toHaveText('0');
  expect((await workerState(page)).stats.failed).toBe(0);
  await page.getByRole('link', { name: 'Appointments' }).click();
  await expect(page.locator('a.row', { hasText: `Refused one ${stamp}` })).toHaveCount(0);
});

test('a record the tablet cannot read is listed for support, and leaves the list once corrected', async ({
  page,
  context,
  admin: api,
}) => {
  const home = await makeHousehold(api, 'Broken');
  await signInThroughUi(page);
  const pet = await serverPatch<{ id: number }>(api, `/api/pets/${home.pet.id}`, { breed: 'Beagle' });

  // The next pull brings the pet with a name no client accepts (as data from an older server might).
  let corrupt = true;
  await context.route('**/api/sync/pull**', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as {
      changes: { entityType: string; id: number; data: Record<string, unknown> }[];
    };
    if (corrupt) {
      for (const change of body.changes)
        if (change.entityType === 'pets' && change.id === home.pet.id) change.data.name = 'x'.repeat(300);
    }
    await route.fulfill({ response, json: body });
  });
  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await page.getByRole('button', { name: 'Sync Now' }).click();
  const section = page.getByTestId('quarantine');
  await expect(section).toContainText('Records this tablet could not read (1)', { timeout: 20_000 });
  await expect(section).toContainText(`Pet #${pet.id}`);
  await expect(section).toContainText('Problem: name');
  await expect(section).toContainText('tell your support contact');
  const details = section.getByRole('button', { name: 'Details for support' });
  await expect(details).toHaveAttribute('aria-expanded', 'false');
  await details.click();
  await expect(section.locator('pre')).toContainText(`Record: pets ${home.pet.id}`);

  // Corrected on the server: the next pull brings a readable version and the entry goes.
  corrupt = false;
  await serverPatch(api, `/api/pets/${home.pet.id}`, { breed: 'Beagle mix' });
  await page.getByRole('button', { name: 'Sync Now' }).click();
  await expect(section).toHaveCount(0, { timeout: 20_000 });
  await context.unroute('**/api/sync/pull**');
});

test('conflict dialog: no stale error, server-only changes listed, notes in a multi-line box; resolved ones name the strategy', async ({
  page,
  makeConflict,
}) => {
  await makeConflict(
    8,
    { title: 'Vet: shorter visit', durationMinutes: '45' },
    {
      title: 'Desk: owner running late',
      notes: 'Owner will call',
    },
  );
  await indicator(page).getByRole('link', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Resolve…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Choose how to resolve the conflict.');
  await dialog.getByRole('radio', { name: /^Choose field by field/ }).check();
  await expect(dialog.getByRole('alert')).toHaveCount(0);

  // Duration was changed only on the server: listed, with the server's value.
  const duration = dialog.locator('tr[data-field="durationMinutes"]');
  await expect(duration).toContainText('Not changed here');
  await expect(duration).toContainText('45');

  await dialog
    .getByRole('radiogroup', { name: 'Value to keep for Notes' })
    .getByRole('radio', { name: 'Other' })
    .check();
  const notes = dialog.getByRole('textbox', { name: 'Other value for Notes' });
  expect(await notes.evaluate((el) => el.tagName)).toBe('TEXTAREA');
  await notes.fill('Owner will call\nComes at 11:30');
  await dialog
    .getByRole('radiogroup', { name: 'Value to keep for Title' })
    .getByRole('radio', { name: 'Mine' })
    .check();
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog).toBeHidden();

  const resolved = page.getByRole('button', { name: 'Recently resolved (1)' });
  await expect(resolved).toHaveAttribute('aria-expanded', 'false');
  await resolved.click();
  await expect(resolved).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('recently-resolved')).toContainText('Resolved by you with Choose field by field');

  // The settings' checkboxes are 44 px targets.
  for (const name of ['Sync automatically when the connection returns', /Debug logging/]) {
    const box = await page.getByRole('checkbox', { name }).boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(44);
    expect(box!.height).toBeGreaterThanOrEqual(44);
  }
});
