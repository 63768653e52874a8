/**
 * Conflicts made by a second user, resolved through the dialog with each of the five strategies.
 * The second user (the vet) edits the appointment straight on the server; the tablet edits the
 * same appointment offline; when it comes back online its push conflicts, and the receptionist
 * resolves it in the Sync tab. Each test checks what the server ends up with.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import {
  indicator,
  serverGet,
  workerState,
  type ConflictScenario,
  type ServerAppointment,
  test,
} from './app-helpers.ts';

/** Opens the conflict from the indicator's Review link, picks a strategy and field choices, applies. */
async function resolveThroughDialog(
  page: Page,
  strategy: RegExp,
  choose?: (dialog: ReturnType<Page['getByRole']>) => Promise<void>,
) {
  // On the Sync tab already (the indicator has no link to it there), else by its Review link.
  if (new URL(page.url()).pathname !== '/sync') await indicator(page).getByRole('link', { name: 'Review' }).click();
  await expect(page.getByTestId('unresolved-count')).toHaveText('(1 unresolved)');
  await page.getByRole('button', { name: 'Resolve…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading', { name: /Resolve conflict: Appointment/ })).toBeVisible();
  await dialog.getByRole('radio', { name: strategy }).check();
  if (choose) await choose(dialog);
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('unresolved-count')).toHaveText('(0 unresolved)');
}

async function serverAppointment(api: APIRequestContext, id: number): Promise<ServerAppointment> {
  return serverGet<ServerAppointment>(api, `/api/appointments/${id}`);
}

/** Waits until the server's record has `value` in `field`. */
async function serverReaches(s: ConflictScenario, field: keyof ServerAppointment, value: string): Promise<void> {
  await expect.poll(async () => (await serverAppointment(s.api, s.id))[field], { timeout: 20_000 }).toBe(value);
}

/** Waits until the tablet has nothing left to send, then returns the server's record. */
async function settled(s: ConflictScenario): Promise<ServerAppointment> {
  await expect
    .poll(
      async () => {
        const { stats } = await workerState(s.page);
        return stats.pending + stats.inFlight + stats.conflicts;
      },
      { timeout: 20_000 },
    )
    .toBe(0);
  return serverAppointment(s.api, s.id);
}

test.describe.configure({ mode: 'serial' });

test('server wins: the vet’s title stays and the tablet shows it', async ({ page, makeConflict }) => {
  const s = await makeConflict(0, { title: 'Vet: server wins' }, { title: 'Tablet: server wins' });
  // The dialog shows both values side by side, the differing field highlighted.
  await indicator(page).getByRole('link', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Resolve…' }).click();
  // Who made the server's version, so the receptionist knows whom to ask.
  await expect(page.getByRole('dialog').locator('#explanation')).toContainText(
    'in another edit by Dr. Sam Patel on the server',
  );
  const row = page.getByRole('dialog').locator('tr[data-field="title"]');
  await expect(row).toHaveClass(/differs/);
  await expect(row).toContainText('Tablet: server wins');
  await expect(row).toContainText('Vet: server wins');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

  await resolveThroughDialog(page, /^Keep the server’s version/);
  expect((await settled(s)).title).toBe('Vet: server wins');
  await page.goto(`/appointments/${s.id}`);
  await expect(page.getByLabel('Title')).toHaveValue('Vet: server wins');
});

test('client wins: the tablet’s title replaces the server’s', async ({ page, makeConflict }) => {
  const s = await makeConflict(1, { title: 'Vet: client wins' }, { title: 'Tablet: client wins' });
  await resolveThroughDialog(page, /^Keep this tablet’s version/);
  await serverReaches(s, 'title', 'Tablet: client wins');
  expect((await settled(s)).title).toBe('Tablet: client wins');
});

test('last write wins: the tablet changed it last, so its title wins', async ({ page, makeConflict }) => {
  const s = await makeConflict(2, { title: 'Vet: earlier' }, { title: 'Tablet: later' });
  // The dialog says which edit is newer, whose the other one is, and when each was made (on the
  // vet's device's clock: the server reports serverEditedAt and serverEditedBy).
  await indicator(page).getByRole('link', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Resolve…' }).click();
  await expect(page.getByRole('dialog').getByTestId('last-write-sentence')).toHaveText(
    /^Your edit \(.+ on this tablet\) is newer than Dr\. Sam Patel’s edit \(.+, when it was made\)\.$/,
  );
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await resolveThroughDialog(page, /^Keep the newest edit/);
  await serverReaches(s, 'title', 'Tablet: later');
  await settled(s);
});

test('merge: non-overlapping changes kept from both sides, the overlapping field chosen', async ({
  page,
  makeConflict,
}) => {
  const s = await makeConflict(
    3,
    { title: 'Vet: merge', durationMinutes: '45' },
    { title: 'Tablet: merge', notes: 'Tablet note kept by merge' },
  );
  await resolveThroughDialog(page, /^Combine both/, async (dialog) => {
    // Apply without a choice is refused with the field named.
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await expect(dialog.getByRole('alert').first()).toContainText('Choose a value for: Title');
    await dialog
      .getByRole('radiogroup', { name: 'Value to keep for Title' })
      .getByRole('radio', { name: 'Server' })
      .check();
  });
  await serverReaches(s, 'notes', 'Tablet note kept by merge');
  const record = await settled(s);
  expect(record).toMatchObject({ title: 'Vet: merge', durationMinutes: '45', notes: 'Tablet note kept by merge' });
});

test('manual: field by field, with a typed value', async ({ page, makeConflict }) => {
  const s = await makeConflict(4, { title: 'Vet: manual' }, { title: 'Tablet: manual', notes: 'Tablet note (manual)' });
  await resolveThroughDialog(page, /^Choose field by field/, async (dialog) => {
    const title = dialog.getByRole('radiogroup', { name: 'Value to keep for Title' });
    await title.getByRole('radio', { name: 'Other' }).check();
    await dialog.getByLabel('Other value for Title').fill('Agreed at the front desk');
    await dialog
      .getByRole('radiogroup', { name: 'Value to keep for Notes' })
      .getByRole('radio', { name: 'Mine' })
      .check();
  });
  await serverReaches(s, 'title', 'Agreed at the front desk');
  const record = await settled(s);
  expect(record.notes).toBe('Tablet note (manual)');
});
