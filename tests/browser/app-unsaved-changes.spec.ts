/**
 * Typing is never lost by leaving a form: in the real app, a tab tapped on a new client with a name
 * typed asks "Leave without saving?"; Stay keeps the name; closing the tab gets the browser's prompt.
 */
import { expect, test } from '@playwright/test';
import { expectNoSeriousViolations, signInThroughUi } from './app-helpers.ts';

const SHOTS = '.tmp/unsaved-changes';

test('a typed client name survives a tapped tab: the question, Stay, the name still there', async ({ page }) => {
  await signInThroughUi(page);
  await page.getByRole('link', { name: 'Clients' }).click();
  await page.getByRole('link', { name: '+ New client' }).click();
  await page.getByLabel('Name').fill('Noor Haddad');

  await page.getByRole('link', { name: 'Appointments' }).click();
  const question = page.getByRole('group', { name: 'Leave without saving?' });
  await expect(question).toBeVisible();
  await expect(question).toContainText('What you typed in this client’s details is not saved.');
  await expect(question.getByRole('button', { name: 'Stay' })).toBeFocused();
  await expect(page).toHaveURL(/\/clients\/new$/);
  await expectNoSeriousViolations(page, 'leave without saving question');
  for (const size of [
    { width: 1024, height: 768 },
    { width: 768, height: 1024 },
  ]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SHOTS}/question-${size.width}x${size.height}.png` });
  }

  await question.getByRole('button', { name: 'Stay' }).click();
  await expect(question).toHaveCount(0);
  await expect(page.getByLabel('Name')).toHaveValue('Noor Haddad');
  await expect(page).toHaveURL(/\/clients\/new$/);

  // Closing the tab (or reloading) now gets the browser's own prompt; dismissed, the page stays.
  const prompted = new Promise<string>((resolve) =>
    page.once('dialog', (dialog) => {
      resolve(dialog.type());
      void dialog.dismiss();
    }),
  );
  await page.close({ runBeforeUnload: true });
  expect(await prompted).toBe('beforeunload');
  await expect(page.getByLabel('Name')).toHaveValue('Noor Haddad');
});
