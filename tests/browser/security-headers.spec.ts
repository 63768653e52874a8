/**
 * The server's Content-Security-Policy is one the built app and its service worker actually run
 * under: every screen, with no CSP violation reported by Chromium, and the worker syncing
 * (its pull is a fetch the policy governs).
 */
import { expect, test } from '@playwright/test';
import { signInThroughUi } from './app-helpers.ts';

test('the app runs under the server’s CSP with no violation on any screen', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const list = ((window as unknown as { __csp?: string[] }).__csp ??= []);
      list.push(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });

  const shell = await page.request.get('/');
  const csp = shell.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");

  // Signing in waits for the worker's first pull: the worker's fetches run under the policy too.
  await signInThroughUi(page);
  await expect(page.locator('a.row').first()).toBeVisible();
  await page.getByRole('link', { name: '+ Book appointment' }).click();
  await expect(page.getByRole('heading', { name: 'Book an appointment' })).toBeVisible();
  await page.getByRole('link', { name: 'Clients' }).click();
  await page.locator('a.row').first().click();
  await expect(page.getByRole('heading', { name: 'Pets' })).toBeVisible();
  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await page.locator('sync-engine-panel').getByRole('button', { name: 'Sync Now' }).click();
  await expect(page.getByRole('heading', { name: 'Last sync' })).toBeVisible();

  const inPage = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
  expect([...violations, ...inPage]).toEqual([]);
});
