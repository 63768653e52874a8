/**
 * Scenario 12 of the fault suite: a browser without Background Sync. Debian's firefox-esr, driven
 * over WebDriver BiDi (puppeteer-core, `browser: 'firefox'`), runs the real worker against the
 * Playwright server. Firefox has no offline emulation over BiDi, so "offline" is the server being
 * unreachable: every push gets its connection cut (the test-only fault mode). The worker's own
 * sync right after the writes fails; then the server comes back and the page's `online` event
 * (the fallback for browsers without SyncManager) makes the worker sync. The rows must be on the
 * server once each, and Firefox's IndexedDB must hold them under their server ids.
 *
 * Skipped, with the reason, when firefox-esr is not installed (`apt-get install firefox-esr`;
 * FIREFOX_PATH names another binary).
 */
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import puppeteer, { type Page } from 'puppeteer-core';
import { askWorkerInPage } from './helpers.ts';
import { freshSlot, readReplicaInPage, serverRows, titles, type FaultRule } from './fault-helpers.ts';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const COUNT = 20;

/** One page→worker request from inside Firefox (the same MessageChannel protocol as the app's). */
function ask<T>(page: Page, message: Record<string, unknown>): Promise<T> {
  return page.evaluate(askWorkerInPage, message) as Promise<T>;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T names the reply body for the caller
function json<T>(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async (method, path, body) => {
      const res = await fetch(path, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
      return { status: res.status, body: await res.json() };
    },
    method,
    path,
    body,
  );
}

test('12. Firefox (no Background Sync): bookings made while the server is unreachable reach it once the page reports online', async ({
  baseURL,
}) => {
  test.skip(!existsSync(FIREFOX), `no Firefox at ${FIREFOX}: apt-get install firefox-esr (or set FIREFOX_PATH)`);
  test.setTimeout(90_000);
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(baseURL!);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, { timeout: 20_000 });
    expect(await page.evaluate(() => 'SyncManager' in self)).toBe(false);

    const login = await json<{ user: Record<string, unknown> }>(page, 'POST', '/api/auth/login', {
      email: 'reception@northside.example',
      password: 'demo1234',
    });
    expect(login.status).toBe(200);
    await ask(page, { type: 'SESSION_STARTED', user: login.body.user });
    await expect
      .poll(
        async () =>
          (await ask<{ lastPulledAt: number | null; isSyncing: boolean }>(page, { type: 'GET_STATE' })).lastPulledAt,
        { timeout: 20_000 },
      )
      .not.toBeNull();

    // The server becomes unreachable for this browser's pushes.
    const cut: FaultRule = { route: 'push', fault: 'drop', times: 1000 };
    expect((await json(page, 'POST', '/api/test/faults', { rules: [cut] })).status).toBe(200);
    const prefix = `S12 firefox ${Date.now()} #`;
    const pets = (await json<{ data: { id: number }[] }>(page, 'GET', '/api/pets')).body.data.map((p) => p.id);
    const firstSlot = freshSlot('2027-11-01T08:00:00.000Z');
    for (let i = 0; i < COUNT; i++) {
      const res = await json<{ data: { id: string } }>(page, 'POST', '/api/appointments', {
        title: `${prefix}${i}`,
        type: 'checkup',
        date: new Date(Date.parse(firstSlot) + i * 20 * 60_000).toISOString(),
        durationMinutes: 15,
        petId: pets[i % pets.length],
        practitionerId: null,
      });
      expect(res.status).toBe(201);
      expect(res.body.data.id).toMatch(/^temp_appt_/);
    }
    // Without SyncManager the worker syncs at once: that run tries 4 times and gives up.
    await expect
      .poll(async () => (await json<{ fired: { drop: number } }>(page, 'GET', '/api/test/faults')).body.fired.drop, {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(4);
    await expect
      .poll(async () => (await ask<{ isSyncing: boolean }>(page, { type: 'GET_STATE' })).isSyncing, { timeout: 30_000 })
      .toBe(false);
    expect((await ask<{ stats: { pending: number } }>(page, { type: 'GET_STATE' })).stats.pending).toBe(COUNT);
    expect(serverRows(prefix)).toEqual([]);

    // The server is back; the page hears the network return (offline, then online).
    expect((await json(page, 'DELETE', '/api/test/faults')).status).toBe(200);
    await page.evaluate(() => {
      window.dispatchEvent(new Event('offline'));
      window.dispatchEvent(new Event('online'));
    });
    await expect
      .poll(
        async () =>
          (await ask<{ stats: { pending: number; inFlight: number; failed: number } }>(page, { type: 'GET_STATE' }))
            .stats,
        { timeout: 30_000 },
      )
      .toMatchObject({ pending: 0, inFlight: 0, failed: 0 });

    const rows = serverRows(prefix);
    expect(rows.map((r) => r.title).sort()).toEqual(titles(prefix, COUNT).sort());
    const replica = await page.evaluate(readReplicaInPage, prefix);
    expect(replica.filter((r) => r._pending)).toEqual([]);
    expect(replica.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
    console.log(
      `[fault-suite] 12: firefox-esr ${await browser.version()}: ${COUNT} queued while the server was unreachable, ${rows.length} on the server, lost 0, duplicated 0`,
    );
  } finally {
    await browser.close();
  }
});
