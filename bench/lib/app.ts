/** Driving the app and the baseline page from the benchmark: sign-in, writes, worker state, waits. */
import type { BrowserContext, Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { perSecond, round, summarize, type LatencySummary } from './stats.ts';

const LOGIN = { email: 'reception@northside.example', password: 'demo1234' };

export interface SessionUser {
  id: number;
  name: string;
  role: string;
  practiceId: number;
  tenantId: string;
}

export interface WorkerState {
  isSyncing: boolean;
  lastPulledAt: number | null;
  stats: { pending: number; inFlight: number; failed: number; conflicts: number };
  lastResult: { finishedAt: number } | null;
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function countRows(databasePath: string, titlePrefix: string): number {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT count(*) AS n FROM appointments WHERE title LIKE ?').get(`${titlePrefix}%`) as {
      n: number;
    };
    return row.n;
  } finally {
    db.close();
  }
}

/**
 * Counts appointments arriving on the server while a drain runs, cheaply enough to ask every 20 ms:
 * the highest id minus the highest at the start (one index look-up on one open read-only
 * connection; counting titles scanned the table, a core's worth of work at 100,000 rows, on the
 * cores the drain runs on). Only the bench writes during a drain; `countRows` checks exactly after.
 */
export function watchNewAppointments(databasePath: string): { added(): number; close(): void } {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  const maxId = db.prepare('SELECT coalesce(max(id), 0) FROM appointments').pluck();
  const base = maxId.get() as number;
  return { added: () => (maxId.get() as number) - base, close: () => db.close() };
}

export async function waitForControl(page: Page, timeoutMs = 30_000): Promise<void> {
  // Bounded: a worker that never registers (e.g. a script the CSP refused) must fail the run, not hang it.
  await page.evaluate(async (timeoutMs) => {
    const controlled = (async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
      }
    })();
    const late = new Promise((_, reject) =>
      setTimeout(
        () => reject(new Error(`no service worker controls ${location.pathname} after ${timeoutMs} ms`)),
        timeoutMs,
      ),
    );
    await Promise.race([controlled, late]);
  }, timeoutMs);
}

/** Sends a request to the controlling worker on a MessagePort and returns the reply value. */
export function askWorker<T>(page: Page, message: Record<string, unknown>): Promise<T> {
  return page.evaluate(async (msg) => {
    const controller = navigator.serviceWorker.controller;
    if (!controller) throw new Error('no service worker controls the page');
    const channel = new MessageChannel();
    interface Reply {
      ok: boolean;
      value?: unknown;
      error?: { message: string };
    }
    const reply = await new Promise<Reply>((resolve) => {
      channel.port1.onmessage = (e: MessageEvent<Reply>) => resolve(e.data);
      controller.postMessage(msg, [channel.port2]);
    });
    if (!reply.ok) throw new Error(reply.error?.message);
    return reply.value;
  }, message) as Promise<T>;
}

export async function login(context: BrowserContext): Promise<SessionUser> {
  const res = await context.request.post('/api/auth/login', { data: LOGIN });
  if (!res.ok()) throw new Error(`login failed: ${res.status()}`);
  return ((await res.json()) as { user: SessionUser }).user;
}

/** BENCH_DEBUG=1: the worker's debug lines ([SyncPush] timings per batch...) are kept here. */
export const workerDebugLines: string[] = [];

/** The app in a new tab, controlled by our worker, with a signed-in session (not yet told to the worker). */
export async function openApp(context: BrowserContext): Promise<{ page: Page; user: SessionUser }> {
  if (process.env.BENCH_DEBUG)
    context.on('serviceworker', (worker) => worker.on('console', (m) => workerDebugLines.push(m.text())));
  const page = await context.newPage();
  await page.goto('/');
  await waitForControl(page);
  if (process.env.BENCH_DEBUG) await askWorker(page, { type: 'SET_DEBUG', enabled: true });
  return { page, user: await login(context) };
}

/** The baseline page (plain Workbox queue), controlling its scope. */
export async function openBaseline(context: BrowserContext): Promise<Page> {
  await login(context);
  const page = await context.newPage();
  await page.goto('/bench-baseline/index.html');
  await waitForControl(page);
  return page;
}

export function baselineQueueSize(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const controller = navigator.serviceWorker.controller;
    if (!controller) throw new Error('no service worker controls the baseline page');
    const channel = new MessageChannel();
    return new Promise<number>((resolve) => {
      channel.port1.onmessage = (e: MessageEvent<number>) => resolve(e.data);
      controller.postMessage({ type: 'QUEUE_SIZE' }, [channel.port2]);
    });
  });
}

/** Until the worker finished its first pull (and no sync runs). */
export function waitForFirstPull(page: Page, timeoutMs: number): Promise<void> {
  return waitUntil(
    async () => {
      const s = await askWorker<WorkerState>(page, { type: 'GET_STATE' });
      return s.lastPulledAt !== null && !s.isSyncing;
    },
    timeoutMs,
    'the first pull',
  );
}

export async function firstPetId(context: BrowserContext): Promise<number> {
  const res = await context.request.get('/api/pets');
  const body = (await res.json()) as { data: { id: number }[] };
  if (!body.data[0]) throw new Error('no pets on the server');
  return body.data[0].id;
}

export interface WriteRun {
  n: number;
  latencyMs: LatencySummary;
  writesPerSecond: number;
  writeTotalMs: number;
}

/** The next free quarter hour for the bench's bookings: years ahead of the demo data, never used twice. */
let nextSlot = Date.UTC(2040, 0, 1, 8, 0);

/**
 * N appointment creates from the page, each timed from fetch() to the end of its response; with
 * `concurrency` > 1 (filling a queue, not timing it) that many are in flight at once. Each booking
 * has a quarter hour of its own (the server refuses one pet booked twice at one time).
 */
export async function timedWrites(
  page: Page,
  n: number,
  petId: number,
  titlePrefix: string,
  concurrency = 1,
): Promise<WriteRun> {
  const firstSlot = nextSlot;
  nextSlot += n * 15 * 60_000;
  const { latencies, totalMs } = await page.evaluate(
    async ({ n, petId, titlePrefix, concurrency, firstSlot }) => {
      const latencies = new Array<number>(n);
      const start = performance.now();
      let next = 0;
      // (No named functions in here: the bench runs under tsx, whose helper names do not exist in the page.)
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < n; i = next++) {
            const body = JSON.stringify({
              title: `${titlePrefix}${i}`,
              type: 'checkup',
              date: new Date(firstSlot + i * 15 * 60_000).toISOString(),
              durationMinutes: 15,
              status: 'scheduled',
              notes: null,
              petId,
              practitionerId: null,
            });
            const t = performance.now();
            const res = await fetch('/api/appointments', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
            });
            await res.text();
            latencies[i] = performance.now() - t;
            if (res.status !== 201 && res.status !== 202) throw new Error(`write ${i} answered ${res.status}`);
          }
        }),
      );
      return { latencies, totalMs: performance.now() - start };
    },
    { n, petId, titlePrefix, concurrency, firstSlot },
  );
  return { n, latencyMs: summarize(latencies), writesPerSecond: perSecond(n, totalMs), writeTotalMs: round(totalMs) };
}

/** Counts the browser context's requests that match (the worker's included). */
export function countRequests(context: BrowserContext, match: (url: URL) => boolean): { count: number; stop(): void } {
  const counter = {
    count: 0,
    stop: () => context.off('request', onRequest),
  };
  const onRequest = (request: { url(): string }) => {
    if (match(new URL(request.url()))) counter.count++;
  };
  context.on('request', onRequest);
  return counter;
}
