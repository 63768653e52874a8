import type { Page } from '@playwright/test';

/** Waits until a service worker controls the page (the first visit is claimed ~0.3 s after load). */
export async function waitForServiceWorkerControl(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
    }
  });
}

import { chromium, type BrowserContext } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.ts';

/**
 * A browser context with a real profile on disk. Playwright's default contexts are incognito-like,
 * which Chromium reports as not installable (`in-incognito`).
 */
export async function launchPersistentContext(
  baseURL: string,
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'smartdmv-profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    baseURL,
    viewport: { width: 1024, height: 768 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { expect, type Page as PwPage } from '@playwright/test';

/**
 * Runs in the page: one page→worker request over a MessageChannel, the worker's reply value
 * (throws on an error reply). Plain, so Playwright and puppeteer (Firefox) can both evaluate it.
 */
export async function askWorkerInPage(msg: Record<string, unknown>): Promise<unknown> {
  const registration = await navigator.serviceWorker.ready;
  const worker = navigator.serviceWorker.controller ?? registration.active;
  if (!worker) throw new Error('no controller');
  const channel = new MessageChannel();
  const reply = await new Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>((resolve) => {
    channel.port1.onmessage = (e) => resolve(e.data);
    worker.postMessage(msg, [channel.port2]);
  });
  if (!reply.ok) throw new Error(reply.error?.message ?? 'worker error');
  return reply.value;
}

/** Sends one page→worker request and returns the worker's reply value (throws on an error reply). */
export async function askWorker<T = unknown>(page: PwPage, message: Record<string, unknown>): Promise<T> {
  return page.evaluate(askWorkerInPage, message) as Promise<T>;
}

/**
 * Signs in through the page (the session cookie lands in the browser), tells the worker, and
 * waits until the first pull filled the replica.
 */
export async function signInDevice(
  page: PwPage,
  email = 'reception@northside.example',
): Promise<{ id: number; practiceId: number }> {
  const user = await page.evaluate(async (email) => {
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'demo1234' }),
    });
    if (!res.ok) throw new Error(`login failed: ${res.status}`);
    return ((await res.json()) as { user: { id: number; practiceId: number } }).user;
  }, email);
  await askWorker(page, { type: 'SESSION_STARTED', user });
  // (page.waitForFunction cannot wait for an async predicate: a Promise is truthy at once.)
  await expect
    .poll(
      async () => {
        const state = await askWorker<{ lastPulledAt: number | null; isSyncing: boolean }>(page, { type: 'GET_STATE' });
        return state.lastPulledAt !== null && !state.isSyncing;
      },
      { timeout: 20_000, intervals: [50, 100, 200] },
    )
    .toBe(true);
  return user;
}

/** `fetch` from the page (so through the service worker) returning status and JSON. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T names the reply body for the caller
export async function pageFetch<T = any>(
  page: PwPage,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(path, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
      return { status: res.status, body: await res.json() };
    },
    { method, path, body },
  );
}

/** Rows of the worker's queue, read straight from IndexedDB. */
export async function queuedOperations(
  page: PwPage,
): Promise<{ operation: string; entityType: string; entityId: unknown; status: string }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('smartdmv-offline');
        open.onerror = () => reject(open.error!);
        open.onsuccess = () => {
          const req = open.result.transaction('sync_operations').objectStore('sync_operations').getAll();
          req.onsuccess = () => {
            open.result.close();
            resolve(req.result);
          };
          req.onerror = () => reject(req.error!);
        };
      }),
  );
}
