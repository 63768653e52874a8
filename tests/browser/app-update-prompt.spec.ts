/**
 * A new build of the app ships while changes wait on the tablet (issue 11 item 5): the new worker
 * waits, the page shows "Update ready", Reload activates it, and the queued change is still there
 * and reaches the server afterwards.
 *
 * The test serves a copy of dist/ from a server of its own, so changing the copy's sw.js (a new
 * build, byte for byte different) cannot disturb the other tests.
 */
import { expect, test } from '@playwright/test';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../../bench/lib/server.ts';
import { dayFromToday, indicator, serverSession, signInThroughUi, workerState } from './app-helpers.ts';
import { askWorker } from './helpers.ts';

test('a new worker build while changes are queued: the prompt shows, Reload keeps the queue', async ({ browser }) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(path.join('.tmp', 'update-'));
  const dist = path.join(dir, 'dist');
  cpSync('dist', dist, { recursive: true });
  const server = await startServer(path.join(dir, 'app.db'), { DIST_DIR: path.resolve(dist) });
  const baseURL = server.url;
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    await signInThroughUi(page);

    // A booking that cannot reach the server yet: it stays queued while online.
    await context.route('**/api/sync/push', (route) => route.abort('internetdisconnected'));
    await page.getByRole('link', { name: '+ Book appointment' }).click();
    await page.getByLabel('Date').fill(dayFromToday(1)); // not a time today that has passed
    await page.getByLabel('Client').selectOption({ index: 1 });
    const pet = page.getByLabel('Pet');
    if ((await pet.inputValue()) === '') await pet.selectOption({ index: 1 });
    const title = `Queued across an update ${Date.now()}`;
    await page.getByLabel('Title').fill(title);
    await page.getByRole('button', { name: 'Book appointment' }).click();
    const row = page.locator('a.row', { hasText: title });
    await expect(row.getByText('Not synced')).toBeVisible();
    await expect(indicator(page).getByTestId('pending-count')).toHaveText('1 pending');

    // The new build: the worker script changes; the browser finds it on its next update check.
    appendFileSync(path.join(dist, 'sw.js'), `\n// build ${Date.now()}\n`);
    // The server sends the build's precompressed copies when they exist: drop the stale ones.
    for (const copy of ['sw.js.br', 'sw.js.gz']) rmSync(path.join(dist, copy), { force: true });
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    const prompt = page.locator('update-prompt').getByRole('alert');
    await expect(prompt).toContainText('Update ready', { timeout: 20_000 });
    await expect(prompt).toContainText('Changes waiting to sync are kept.');

    await Promise.all([page.waitForEvent('load'), prompt.getByRole('button', { name: 'Reload' }).click()]);
    await expect(page.getByRole('heading', { name: 'Appointments', level: 1 })).toBeVisible();
    expect(
      await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        return { waiting: registration?.waiting !== null, active: registration?.active?.state };
      }),
    ).toEqual({ waiting: false, active: 'activated' });
    await expect(page.locator('update-prompt').getByRole('alert')).toHaveCount(0);

    // The queue survived the update: still pending, then sent by the new worker.
    await expect(row.getByText('Not synced')).toBeVisible();
    const { stats } = await workerState(page);
    expect(stats.pending + stats.inFlight).toBe(1); // waiting, or being tried again (the push is still refused)
    await context.unroute('**/api/sync/push');
    // Sync Now (a run still retrying is joined, not doubled).
    await askWorker(page, { type: 'SYNC_NOW' });
    await expect(row.getByText('Not synced')).toHaveCount(0, { timeout: 30_000 });
    const api = await serverSession(baseURL, 'admin@northside.example');
    const stored = (
      (await (await api.get(`/api/appointments/${(await row.getAttribute('href'))!.split('/').pop()}`)).json()) as {
        data: { title: string };
      }
    ).data;
    expect(stored.title).toBe(title);
    await api.dispose();
  } finally {
    await context.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
