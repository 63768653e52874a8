/**
 * Two people on one tablet: Maya Chen's change is held as a conflict and she signs out before
 * deciding. Dr. Sam Patel signs in next: the indicator does not ask him about it, the Sync tab
 * shows it as hers (View…, no Resolve…), the dialog opens read only, and the worker refuses his
 * discard with her name. Maya signs in again and resolves it; her title reaches the server.
 */
import { expect } from '@playwright/test';
import type { QueuedOperation, SyncState } from '../../src/protocol/index.ts';
import { askWorker } from './helpers.ts';
import {
  expectNoSeriousViolations,
  indicator,
  serverGet,
  signInThroughUi,
  test,
  workerState,
  type ServerAppointment,
} from './app-helpers.ts';

test('another person’s held change: shown as theirs, not the next person’s to drop; its author resolves it', async ({
  page,
  makeConflict,
}) => {
  const s = await makeConflict(9, { title: 'Vet: shared tablet' }, { title: 'Maya: shared tablet' });

  // Maya signs out with the conflict undecided (the warning says her change stays).
  await page.getByRole('button', { name: /^Sign out/ }).click();
  await page.getByRole('group', { name: 'Confirm sign-out' }).getByRole('button', { name: 'Sign out anyway' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();

  // Dr. Sam Patel signs in: nothing he could act on, so the indicator shows no conflict.
  await signInThroughUi(page, 'vet@northside.example');
  await expect.poll(async () => (await workerState(page)).stats.conflicts).toBe(1);
  await expect(indicator(page).getByTestId('conflict-count')).toHaveCount(0);

  await page.getByRole('link', { name: 'Sync' }).click();
  const item = page.locator('sync-engine-panel li.conflict');
  await expect(item).toContainText('Made by Maya Chen: waits for them to sign in. Only they may resolve it.');
  await expect(item.getByRole('button', { name: 'Resolve…' })).toHaveCount(0);
  // The figures say whose the conflict is.
  await expect(page.getByTestId('queue-conflicts-note')).toHaveText('Of these, 1 by Maya Chen');
  const view = item.getByRole('button', { name: 'View…' });
  expect((await view.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await page.screenshot({ path: test.info().outputPath('sync-tab-held-for-maya.png'), fullPage: true });
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.screenshot({ path: test.info().outputPath('sync-tab-held-for-maya-portrait.png'), fullPage: true });
  await page.setViewportSize({ width: 1024, height: 768 });
  await expectNoSeriousViolations(page, 'Sync tab, another person’s conflict');

  await view.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('held-for')).toContainText('Made by Maya Chen: it waits for them to sign in');
  await expect(dialog.getByRole('radio')).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: 'Apply' })).toHaveCount(0);
  await expect(dialog.locator('tr[data-field="title"]')).toContainText('Maya: shared tablet');
  await page.screenshot({ path: test.info().outputPath('conflict-dialog-held-for-maya.png') });
  await expectNoSeriousViolations(page, 'conflict dialog, read only');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // Asked directly, the worker refuses him too, naming her; the held change stays.
  const rows = await askWorker<QueuedOperation[]>(page, { type: 'GET_OPERATIONS' });
  const held = rows.find((r) => r.status === 'conflict')!;
  await expect(askWorker(page, { type: 'DISCARD_OPERATION', operationId: held.id })).rejects.toThrow(
    /This change was made by Maya Chen\. Only Maya Chen may discard it/,
  );
  expect((await askWorker<QueuedOperation[]>(page, { type: 'GET_OPERATIONS' })).map((r) => r.status)).toEqual([
    'conflict',
  ]);

  // Maya signs in again: the indicator asks her, and she resolves it (client wins).
  await page.getByRole('button', { name: /^Sign out/ }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();
  await signInThroughUi(page, 'reception@northside.example');
  await expect(indicator(page).getByTestId('conflict-count')).toHaveText('1 conflict');
  await indicator(page).getByRole('link', { name: 'Review' }).click();
  // On the Sync tab the indicator links nowhere: it is the page it would open.
  await expect(page.getByRole('heading', { name: 'Sync', level: 1 })).toBeVisible();
  await expect(indicator(page).getByTestId('conflict-count')).toHaveText('1 conflict');
  await expect(indicator(page).getByRole('link')).toHaveCount(0);
  await page.getByRole('button', { name: 'Resolve…' }).click();
  await page
    .getByRole('dialog')
    .getByRole('radio', { name: /^Keep this tablet’s version/ })
    .check();
  await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('unresolved-count')).toHaveText('(0 unresolved)');
  await expect
    .poll(async () => (await serverGet<ServerAppointment>(s.api, `/api/appointments/${s.id}`)).title, {
      timeout: 20_000,
    })
    .toBe('Maya: shared tablet');

  // Maya hands the tablet back to Dr. Patel: her sync and her resolution show as hers, not his.
  await expect.poll(async () => (await workerState(page)).stats.pending).toBe(0);
  const maya = (await askWorker<SyncState>(page, { type: 'GET_STATE' })).user!.id;
  await page.getByRole('button', { name: /^Sign out/ }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();
  await signInThroughUi(page, 'vet@northside.example');
  await expect.poll(async () => (await workerState(page)).isSyncing, { timeout: 20_000 }).toBe(false);
  await page.getByRole('link', { name: 'Sync' }).click();
  const resolved = page.getByTestId('recently-resolved');
  await resolved.getByText(/Recently resolved/).click();
  await expect(resolved.getByTestId('resolved-how')).toContainText(
    'Resolved by Maya Chen with Keep this tablet’s version',
  );
  await expect(resolved.getByRole('listitem').getByRole('button')).toHaveCount(0);
  // The tablet's last sync is whoever's it was: his sign-in's pull if it brought something, else hers.
  const last = (await askWorker<SyncState>(page, { type: 'GET_STATE' })).lastActivity!;
  await expect(page.getByTestId('result-whose')).toHaveText(
    last.userId === maya ? '(Maya Chen’s, not yours)' : '(yours)',
  );
  await page.screenshot({ path: test.info().outputPath('sync-tab-after-handover.png'), fullPage: true });
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.screenshot({ path: test.info().outputPath('sync-tab-after-handover-portrait.png'), fullPage: true });
});
