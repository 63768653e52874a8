import { expect, test } from '@playwright/test';
import { launchPersistentContext, waitForServiceWorkerControl } from './helpers.ts';

test('the service worker installs and controls the page', async ({ page }) => {
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null);
  expect(controller).toMatch(/\/sw\.js$/);
  // The worker claims the page from its activate handler, so it may control it while still
  // 'activating' (seen under load); it must then finish activating.
  await expect
    .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state ?? null))
    .toBe('activated');
});

test('Chromium reports the built app installable (no installability errors)', async ({ baseURL }) => {
  const { context, close } = await launchPersistentContext(baseURL!);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors).toEqual([]);
  const { errors, data } = await cdp.send('Page.getAppManifest');
  expect(errors).toEqual([]);
  const manifest = JSON.parse(data ?? '{}') as {
    name?: string;
    display?: string;
    icons?: { sizes: string; purpose?: string }[];
  };
  expect(manifest.name).toBe('SmartDMV');
  expect(manifest.display).toBe('standalone');
  expect(manifest.icons?.map((i) => `${i.sizes}/${i.purpose ?? 'any'}`)).toEqual(
    expect.arrayContaining(['192x192/any', '512x512/any', '512x512/maskable']),
  );
  await close();
});

test('after one online visit the app shell loads offline', async ({ page, context }) => {
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('smartdmv-app')).toBeAttached();
  await expect(page.getByText('SmartDMV').first()).toBeVisible();
  // A deep link that was never visited is the same shell.
  await page.goto('/appointments');
  await expect(page.locator('smartdmv-app')).toBeAttached();
  await context.setOffline(false);
});
