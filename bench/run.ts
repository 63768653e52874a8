/**
 * `npm run bench`: end-to-end sync speed in Debian's Chromium against the real server on SQLite,
 * side by side with a plain Workbox background-sync queue. One run, one machine; prints a table
 * and writes the figures to bench/results/ (see bench/results/README.md for the fields).
 *
 * Environment: BENCH_N (default "1000,10000"), BENCH_PULL_SIZE (default 50000),
 * BENCH_SKIP (comma list of: writes, baseline, pull, server), CHROMIUM_PATH.
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.ts';
import { buildBaseline } from './lib/baseline-build.ts';
import { startServer, type RunningServer } from './lib/server.ts';
import { perSecond, round, summarize, type LatencySummary } from './lib/stats.ts';

const SIZES = (process.env.BENCH_N ?? '1000,10000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const PULL_SIZE = Number(process.env.BENCH_PULL_SIZE ?? 50_000);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const LOGIN = { email: 'reception@northside.example', password: 'demo1234' };

interface WriteRun {
  n: number;
  latencyMs: LatencySummary;
  writesPerSecond: number;
  writeTotalMs: number;
}

interface DrainRun {
  /** From going online to an empty queue with every row on the server. */
  drainMs: number;
  opsPerSecond: number;
  httpRequests: number;
  /** Until the sync after the drain (its pull included) finished, ours only. */
  syncDoneMs: number | null;
}

interface SizeResult {
  n: number;
  ours: { writes: WriteRun; drain: DrainRun };
  baseline: { writes: WriteRun; drain: DrainRun } | null;
  /** baseline drain time / our drain time */
  speedup: number | null;
}

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

function countRows(databasePath: string, titlePrefix: string): number {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT count(*) AS n FROM appointments WHERE title LIKE ?').get(`${titlePrefix}%`) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForControl(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
}

/** Sends a request to our worker on a MessagePort and returns the reply value. */
function askWorker<T>(page: Page, message: Record<string, unknown>): Promise<T> {
  return page.evaluate(async (msg) => {
    const channel = new MessageChannel();
    const reply = await new Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>((resolve) => {
      channel.port1.onmessage = (e) => resolve(e.data);
      navigator.serviceWorker.controller!.postMessage(msg, [channel.port2]);
    });
    if (!reply.ok) throw new Error(reply.error?.message);
    return reply.value;
  }, message) as Promise<T>;
}

interface WorkerState {
  isSyncing: boolean;
  lastPulledAt: number | null;
  stats: { pending: number; inFlight: number; failed: number; conflicts: number };
  lastResult: { finishedAt: number } | null;
}

/** The app in a new tab, controlled by our worker, with a signed-in session (not yet told to the worker). */
/** BENCH_DEBUG=1: the worker's debug lines ([SyncPush] timings per batch...) go to bench/results/worker-debug.log. */
const workerDebugLines: string[] = [];

async function openApp(context: BrowserContext): Promise<{ page: Page; user: Awaited<ReturnType<typeof login>> }> {
  if (process.env.BENCH_DEBUG) context.on('serviceworker', (worker) => worker.on('console', (m) => workerDebugLines.push(m.text())));
  const page = await context.newPage();
  await page.goto('/');
  await waitForControl(page);
  if (process.env.BENCH_DEBUG) await askWorker(page, { type: 'SET_DEBUG', enabled: true });
  return { page, user: await login(context) };
}

/** Until the worker finished its first pull (and no sync runs). */
function waitForFirstPull(page: Page, timeoutMs: number): Promise<void> {
  return waitUntil(async () => {
    const s = await askWorker<WorkerState>(page, { type: 'GET_STATE' });
    return s.lastPulledAt !== null && !s.isSyncing;
  }, timeoutMs, 'the first pull');
}

async function login(context: BrowserContext): Promise<{ id: number; name: string; role: string; practiceId: number; tenantId: string }> {
  const res = await context.request.post('/api/auth/login', { data: LOGIN });
  if (!res.ok()) throw new Error(`login failed: ${res.status()}`);
  return ((await res.json()) as { user: { id: number; name: string; role: string; practiceId: number; tenantId: string } }).user;
}

async function firstPetId(context: BrowserContext): Promise<number> {
  const res = await context.request.get('/api/pets');
  const body = (await res.json()) as { data: { id: number }[] };
  if (!body.data[0]) throw new Error('no pets on the server');
  return body.data[0].id;
}

/** N sequential creates from the page, each timed from fetch() to the end of its response. */
async function timedWrites(page: Page, n: number, petId: number, titlePrefix: string): Promise<WriteRun> {
  const { latencies, totalMs } = await page.evaluate(
    async ({ n, petId, titlePrefix }) => {
      const latencies: number[] = new Array(n);
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        const body = JSON.stringify({
          title: `${titlePrefix}${i}`,
          type: 'checkup',
          date: new Date(Date.UTC(2026, 11, 1, 8, 0) + (i % 500) * 15 * 60_000).toISOString(),
          durationMinutes: 15,
          status: 'scheduled',
          notes: null,
          petId,
          practitionerId: null,
        });
        const t = performance.now();
        const res = await fetch('/api/appointments', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.text();
        latencies[i] = performance.now() - t;
        if (res.status !== 201 && res.status !== 202) throw new Error(`write ${i} answered ${res.status}`);
      }
      return { latencies, totalMs: performance.now() - start };
    },
    { n, petId, titlePrefix },
  );
  return { n, latencyMs: summarize(latencies), writesPerSecond: perSecond(n, totalMs), writeTotalMs: round(totalMs) };
}

function countApiRequests(context: BrowserContext, match: (url: URL) => boolean): { count: number; stop(): void } {
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

async function benchOurs(browser: Browser, server: RunningServer, n: number): Promise<{ writes: WriteRun; drain: DrainRun }> {
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const { page, user } = await openApp(context);
    await askWorker(page, { type: 'SESSION_STARTED', user });
    await waitForFirstPull(page, 60_000);
    const petId = await firstPetId(context);
    const prefix = `bench-ours-${n}-${Date.now()}-`;

    await context.setOffline(true);
    log(`ours: ${n} offline writes...`);
    const writes = await timedWrites(page, n, petId, prefix);
    const requests = countApiRequests(context, (u) => u.pathname.startsWith('/api/sync/'));
    const lastResultBefore = (await askWorker<WorkerState>(page, { type: 'GET_STATE' })).lastResult?.finishedAt ?? 0;

    log(`ours: draining ${n}...`);
    const started = performance.now();
    await context.setOffline(false);
    await waitUntil(() => countRows(server.databasePath, prefix) >= n, 300_000, 'rows on the server');
    await waitUntil(async () => {
      const s = await askWorker<WorkerState>(page, { type: 'GET_STATE' });
      return s.stats.pending + s.stats.inFlight === 0;
    }, 300_000, 'an empty queue');
    const drainMs = performance.now() - started;
    let syncDoneMs: number | null = null;
    await waitUntil(async () => {
      const s = await askWorker<WorkerState>(page, { type: 'GET_STATE' });
      return !s.isSyncing && (s.lastResult?.finishedAt ?? 0) > lastResultBefore;
    }, 300_000, 'the end of the sync');
    syncDoneMs = round(performance.now() - started);
    requests.stop();
    const rows = countRows(server.databasePath, prefix);
    if (rows !== n) throw new Error(`expected ${n} rows on the server, found ${rows}`);
    return {
      writes,
      drain: { drainMs: round(drainMs), opsPerSecond: perSecond(n, drainMs), httpRequests: requests.count, syncDoneMs },
    };
  } finally {
    await context.close();
  }
}

async function benchBaseline(browser: Browser, server: RunningServer, n: number): Promise<{ writes: WriteRun; drain: DrainRun }> {
  const context = await browser.newContext({ baseURL: server.url });
  try {
    await login(context);
    const petId = await firstPetId(context);
    const page = await context.newPage();
    await page.goto('/bench-baseline/index.html');
    await waitForControl(page);
    const prefix = `bench-base-${n}-${Date.now()}-`;
    await context.setOffline(true);
    log(`baseline: ${n} offline writes...`);
    const writes = await timedWrites(page, n, petId, prefix);
    const requests = countApiRequests(context, (u) => u.pathname === '/api/appointments');
    log(`baseline: draining ${n}...`);
    const started = performance.now();
    await context.setOffline(false);
    await waitUntil(() => countRows(server.databasePath, prefix) >= n, 900_000, 'baseline rows on the server');
    await waitUntil(async () => (await page.evaluate(async () => {
      const channel = new MessageChannel();
      return new Promise<number>((resolve) => {
        channel.port1.onmessage = (e) => resolve(e.data as number);
        navigator.serviceWorker.controller!.postMessage({ type: 'QUEUE_SIZE' }, [channel.port2]);
      });
    })) === 0, 60_000, 'the baseline queue to empty');
    const drainMs = performance.now() - started;
    requests.stop();
    return { writes, drain: { drainMs: round(drainMs), opsPerSecond: perSecond(n, drainMs), httpRequests: requests.count, syncDoneMs: null } };
  } finally {
    await context.close();
  }
}

interface PullRun {
  records: number;
  serverAppointments: number;
  ms: number;
  recordsPerSecond: number;
  pageHeapUsedMB: number;
  httpRequests: number;
}

async function benchInitialPull(browser: Browser, size: number, workDir: string): Promise<PullRun> {
  const databasePath = path.join(workDir, 'pull.db');
  log(`seeding ${size} appointments for the initial pull...`);
  execFileSync(process.execPath, ['--import', 'tsx', 'server/seed-cli.ts', '--size', String(size), '--reset'], {
    env: { ...process.env, DATABASE_PATH: databasePath },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = await startServer(databasePath);
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const { page, user } = await openApp(context);
    const serverAppointments = (() => {
      const db = new Database(databasePath, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM appointments WHERE practice_id = ? AND deleted_at IS NULL').get(user.practiceId) as { n: number }).n;
      } finally {
        db.close();
      }
    })();
    const requests = countApiRequests(context, (u) => u.pathname === '/api/sync/pull');
    log(`initial pull of ${serverAppointments} appointments...`);
    const started = performance.now();
    await askWorker(page, { type: 'SESSION_STARTED', user });
    await waitForFirstPull(page, 300_000);
    const ms = performance.now() - started;
    requests.stop();
    const records = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('smartdmv-offline');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction('appointments').objectStore('appointments').count();
            req.onsuccess = () => resolve(req.result);
          };
        }),
    );
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return {
      records,
      serverAppointments,
      ms: round(ms),
      recordsPerSecond: perSecond(records, ms),
      pageHeapUsedMB: round(usedSize / 1024 / 1024),
      httpRequests: requests.count,
    };
  } finally {
    await context.close();
    await server.stop();
  }
}

interface IdbFloor {
  /** 1,000 puts of a queue-row-sized object in one read-write transaction, in a page. */
  putsPerSecond: number;
  msPerPut: number;
}

/** What IndexedDB itself costs in this Chromium: the floor under every per-operation write. */
async function benchRawIndexedDb(browser: Browser, server: RunningServer): Promise<IdbFloor> {
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const page = await context.newPage();
    await page.goto('/bench-baseline/index.html');
    const ms = await page.evaluate(async () => {
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        const open = indexedDB.open('bench-raw', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('rows', { keyPath: 'id' });
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const runs: number[] = [];
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('rows', 'readwrite', { durability: 'relaxed' });
          const store = tx.objectStore('rows');
          for (let i = 0; i < 1000; i++) {
            store.put({ id: run * 1000 + i, opId: crypto.randomUUID(), status: 'pending', data: { title: `Checkup ${i}`, date: new Date().toISOString(), petId: 5, notes: null } });
          }
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        runs.push(performance.now() - started);
      }
      return Math.min(...runs);
    });
    return { putsPerSecond: perSecond(1000, ms), msPerPut: round(ms / 1000, 3) };
  } finally {
    await context.close();
  }
}

function benchServerAlone(): unknown {
  log('server alone (npm run bench:server)...');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/server-bench.ts', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`bench:server failed with ${run.status}`);
  const line = run.stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as unknown) : { output: run.stdout };
}

function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    chromium: (() => {
      try {
        return execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        return 'unknown';
      }
    })(),
  };
}

function printTable(sizes: SizeResult[], pull: PullRun | null): void {
  const rows: string[][] = [['measure', ...sizes.map((s) => `N = ${s.n}`)]];
  const add = (label: string, value: (s: SizeResult) => string) => rows.push([label, ...sizes.map(value)]);
  add('offline write p50 / p95 / p99 (ms)', (s) => `${s.ours.writes.latencyMs.p50} / ${s.ours.writes.latencyMs.p95} / ${s.ours.writes.latencyMs.p99}`);
  add('offline writes per second', (s) => String(s.ours.writes.writesPerSecond));
  add('drain: time to empty queue (ms)', (s) => String(s.ours.drain.drainMs));
  add('drain: operations per second', (s) => String(s.ours.drain.opsPerSecond));
  add('drain: HTTP requests (push+pull)', (s) => String(s.ours.drain.httpRequests));
  add('baseline write p50 / p95 (ms)', (s) => (s.baseline ? `${s.baseline.writes.latencyMs.p50} / ${s.baseline.writes.latencyMs.p95}` : '-'));
  add('baseline drain (ms)', (s) => (s.baseline ? String(s.baseline.drain.drainMs) : '-'));
  add('baseline HTTP requests', (s) => (s.baseline ? String(s.baseline.drain.httpRequests) : '-'));
  add('speed-up (baseline / ours)', (s) => (s.speedup ? `${s.speedup}x` : '-'));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join(' | '));
  if (pull) {
    console.log(
      `initial pull: ${pull.records} appointments in ${pull.ms} ms (${pull.recordsPerSecond}/s, ${pull.httpRequests} requests), page JS heap ${pull.pageHeapUsedMB} MB`,
    );
  }
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'smartdmv-bench-'));
  buildBaseline();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const server = await startServer(path.join(workDir, 'bench.db'));
  const sizes: SizeResult[] = [];
  let pull: PullRun | null = null;
  let serverAlone: unknown = null;
  let idbFloor: IdbFloor | null = null;
  try {
    idbFloor = await benchRawIndexedDb(browser, server);
    for (const n of SIZES) {
      if (SKIP.has('writes')) break;
      const ours = await benchOurs(browser, server, n);
      const baseline = SKIP.has('baseline') ? null : await benchBaseline(browser, server, n);
      sizes.push({ n, ours, baseline, speedup: baseline ? round(baseline.drain.drainMs / ours.drain.drainMs, 1) : null });
    }
    await server.stop();
    if (!SKIP.has('pull')) pull = await benchInitialPull(browser, PULL_SIZE, workDir);
    if (!SKIP.has('server')) serverAlone = benchServerAlone();
  } finally {
    await browser.close();
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  printTable(sizes, pull);
  if (idbFloor) console.log(`raw IndexedDB in this Chromium: ${idbFloor.putsPerSecond} puts/s (${idbFloor.msPerPut} ms per put)`);
  if (serverAlone) console.log('server alone:', JSON.stringify(serverAlone));
  const result = { date: new Date().toISOString(), machine: machine(), indexedDbFloor: idbFloor, sizes, initialPull: pull, serverAlone };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', JSON.stringify(result, null, 2));
  if (workerDebugLines.length > 0) writeFileSync('bench/results/worker-debug.log', workerDebugLines.join('\n'));
  writeFileSync(`bench/results/bench-${result.date.replace(/[:.]/g, '-')}.json`, JSON.stringify(result, null, 2));
  log('figures written to bench/results/latest.json');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
