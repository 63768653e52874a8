/**
 * `npm run bench`: end-to-end sync speed in Debian's Chromium against the real server on SQLite,
 * side by side with a plain Workbox background-sync queue, on loopback and on a clinic Wi-Fi
 * profile (20 Mbit/s, 40 ms round trip, emulated on the service worker's own DevTools target).
 * One run, one machine; prints tables and writes the figures to bench/results/ (see
 * bench/results/README.md for the fields).
 *
 * Environment: BENCH_N (default "1000,10000"; add 100000 for the heap check), BENCH_PULL_SIZE
 * (default 50000), BENCH_CLINIC_N (default 10000), BENCH_SKIP (comma list of: writes, baseline,
 * pull, clinic, clinic-baseline, server), BENCH_DEBUG=1 (worker debug lines to
 * bench/results/worker-debug.log), BENCH_WORKER_PROFILE=DIR (the worker's CPU profiles of the
 * loopback drains and initial pull, .cpuprofile files for DevTools), CHROMIUM_PATH.
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.ts';
import {
  askWorker,
  baselineQueueSize,
  countRequests,
  countRows,
  watchNewAppointments,
  firstPetId,
  openApp,
  openBaseline,
  timedWrites,
  waitForFirstPull,
  waitUntil,
  workerDebugLines,
  type WorkerState,
  type WriteRun,
} from './lib/app.ts';
import { buildBaseline } from './lib/baseline-build.ts';
import { startProxy, type CountingProxy, type ProxyMode } from './lib/proxy.ts';
import { startServer, type RunningServer } from './lib/server.ts';
import { perSecond, round } from './lib/stats.ts';
import { CLINIC_WIFI, sampleHeap, WorkerTarget, type NetworkProfile } from './lib/worker-target.ts';

const SIZES = (process.env.BENCH_N ?? '1000,10000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0);
const PULL_SIZE = Number(process.env.BENCH_PULL_SIZE ?? 50_000);
const CLINIC_N = Number(process.env.BENCH_CLINIC_N ?? 10_000);
const SKIP = new Set(
  (process.env.BENCH_SKIP ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
/** Queue fills that are not timed write several at once. */
const FILL_CONCURRENCY = 8;

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

interface DrainRun {
  /** From going online to an empty queue with every row on the server. */
  drainMs: number;
  opsPerSecond: number;
  httpRequests: number;
  /** Until the sync after the drain (its pull included) finished, ours only. */
  syncDoneMs: number | null;
  /** Peak JS heap while draining (MB): the page's, and the worker's (ours only). */
  pageHeapPeakMB: number;
  workerHeapPeakMB: number | null;
  /** Body bytes on the wire (clinic runs, counted by the proxy). */
  bytes: { up: number; down: number } | null;
}

interface Side {
  writes: WriteRun;
  drain: DrainRun;
}

interface SizeResult {
  n: number;
  ours: Side;
  baseline: Side | null;
  /** baseline drain time / our drain time */
  speedup: number | null;
}

interface Target {
  /** What the browser talks to: the server, or a counting proxy in front of it. */
  url: string;
  databasePath: string;
  proxy: CountingProxy | null;
  network: NetworkProfile | null;
}

function drainFigures(
  n: number,
  drainMs: number,
  httpRequests: number,
  rest: {
    syncDoneMs: number | null;
    pageHeapPeakMB: number;
    workerHeapPeakMB: number | null;
    bytes: DrainRun['bytes'];
  },
): DrainRun {
  return {
    drainMs: round(drainMs),
    opsPerSecond: perSecond(n, drainMs),
    httpRequests,
    syncDoneMs: rest.syncDoneMs,
    pageHeapPeakMB: round(rest.pageHeapPeakMB),
    workerHeapPeakMB: rest.workerHeapPeakMB === null ? null : round(rest.workerHeapPeakMB),
    bytes: rest.bytes,
  };
}

async function pageHeapReader(context: BrowserContext, page: Page): Promise<() => Promise<number>> {
  const cdp = await context.newCDPSession(page);
  return async () => (await cdp.send('Runtime.getHeapUsage')).usedSize / 1024 / 1024;
}

async function startWorkerProfile(worker: WorkerTarget): Promise<void> {
  await worker.send('Profiler.enable');
  await worker.send('Profiler.setSamplingInterval', { interval: 200 });
  await worker.send('Profiler.start');
}

/** Writes the worker's CPU profile since startWorkerProfile to DIR/NAME-<time>.cpuprofile (BENCH_WORKER_PROFILE). */
async function saveWorkerProfile(worker: WorkerTarget, dir: string, name: string): Promise<void> {
  const { profile } = await worker.send<{ profile: unknown }>('Profiler.stop');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${Date.now()}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  log(`worker CPU profile: ${file}`);
}

async function benchOurs(browser: Browser, target: Target, n: number, timed: boolean): Promise<Side> {
  const context = await browser.newContext({ baseURL: target.url });
  try {
    const { page, user } = await openApp(context);
    await askWorker(page, { type: 'SESSION_STARTED', user });
    await waitForFirstPull(page, 300_000);
    const petId = await firstPetId(context);
    const prefix = `bench-ours-${n}-${Date.now()}-`;

    await context.setOffline(true);
    log(`ours: ${n} offline writes${target.network ? ` (${target.network.name} run)` : ''}...`);
    const writes = await timedWrites(page, n, petId, prefix, timed ? 1 : FILL_CONCURRENCY);
    const worker = await WorkerTarget.attach(browser, context, page, '/sw.js');
    if (target.network) await worker.throttle(target.network);
    const requests = countRequests(context, (u) => u.pathname.startsWith('/api/sync/'));
    const lastResultBefore = (await askWorker<WorkerState>(page, { type: 'GET_STATE' })).lastResult?.finishedAt ?? 0;
    const pageHeap = sampleHeap(await pageHeapReader(context, page));
    const workerHeap = sampleHeap(() => worker.heapUsedMB());
    target.proxy?.reset();

    const arrivals = watchNewAppointments(target.databasePath);
    const profiling = !target.network && process.env.BENCH_WORKER_PROFILE;
    if (profiling) await startWorkerProfile(worker);
    log(`ours: draining ${n}...`);
    const started = performance.now();
    await context.setOffline(false);
    await waitUntil(() => arrivals.added() >= n, 900_000, 'rows on the server').finally(() => arrivals.close());
    await waitUntil(
      async () => {
        const s = await askWorker<WorkerState>(page, { type: 'GET_STATE' });
        return s.stats.pending + s.stats.inFlight === 0;
      },
      900_000,
      'an empty queue',
    );
    const drainMs = performance.now() - started;
    if (profiling) await saveWorkerProfile(worker, profiling, `drain-${n}`);
    const bytes = target.proxy ? { ...target.proxy.bytes } : null;
    await waitUntil(
      async () => {
        const s = await askWorker<WorkerState>(page, { type: 'GET_STATE' });
        return !s.isSyncing && (s.lastResult?.finishedAt ?? 0) > lastResultBefore;
      },
      900_000,
      'the end of the sync',
    );
    const syncDoneMs = round(performance.now() - started);
    requests.stop();
    const [pageHeapPeakMB, workerHeapPeakMB] = [await pageHeap.stop(), await workerHeap.stop()];
    await worker.throttle(null);
    await worker.detach();
    const rows = countRows(target.databasePath, prefix);
    if (rows !== n) throw new Error(`expected ${n} rows on the server, found ${rows}`);
    return {
      writes,
      drain: drainFigures(n, drainMs, requests.count, { syncDoneMs, pageHeapPeakMB, workerHeapPeakMB, bytes }),
    };
  } finally {
    await context.close();
  }
}

async function benchBaseline(browser: Browser, target: Target, n: number, timed: boolean): Promise<Side> {
  const context = await browser.newContext({ baseURL: target.url });
  try {
    const page = await openBaseline(context);
    const petId = await firstPetId(context);
    const prefix = `bench-base-${n}-${Date.now()}-`;
    await context.setOffline(true);
    log(`baseline: ${n} offline writes${target.network ? ` (${target.network.name} run)` : ''}...`);
    const writes = await timedWrites(page, n, petId, prefix, timed ? 1 : FILL_CONCURRENCY);
    const worker = await WorkerTarget.attach(browser, context, page, '/bench-baseline/sw.js');
    if (target.network) await worker.throttle(target.network);
    const requests = countRequests(context, (u) => u.pathname === '/api/appointments');
    const pageHeap = sampleHeap(await pageHeapReader(context, page));
    target.proxy?.reset();
    const arrivals = watchNewAppointments(target.databasePath);
    log(`baseline: draining ${n}...`);
    const started = performance.now();
    await context.setOffline(false);
    await waitUntil(() => arrivals.added() >= n, 3_600_000, 'baseline rows on the server').finally(() =>
      arrivals.close(),
    );
    await waitUntil(async () => (await baselineQueueSize(page)) === 0, 60_000, 'the baseline queue to empty');
    const drainMs = performance.now() - started;
    requests.stop();
    const pageHeapPeakMB = await pageHeap.stop();
    await worker.detach();
    const bytes = target.proxy ? { ...target.proxy.bytes } : null;
    const rows = countRows(target.databasePath, prefix);
    if (rows !== n) throw new Error(`expected ${n} baseline rows on the server, found ${rows}`);
    return {
      writes,
      drain: drainFigures(n, drainMs, requests.count, {
        syncDoneMs: null,
        pageHeapPeakMB,
        workerHeapPeakMB: null,
        bytes,
      }),
    };
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
  bytesDown: number | null;
  /** IndexedDB alone storing what the pull stored (loopback only; see STORE_FLOOR). */
  storeFloor: StoreFloor | null;
}

interface StoreFloor {
  records: number;
  transactions: number;
  ms: number;
}

/**
 * The floor under the initial pull's storing, measured in the worker right after the pull: the
 * records the pull stored (every replica store, read back with their keys) written again into a
 * scratch database with the same stores and indexes, 1,000 records per relaxed transaction, one
 * store at a time. No fetch, no JSON, no validation, no look-up of existing records: what
 * IndexedDB itself takes for these records in this Chromium on this machine, at this moment.
 */
const STORE_FLOOR = `(async () => {
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const done = (tx) => new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); tx.onabort = () => reject(tx.error); });
  const real = await request(indexedDB.open('smartdmv-offline'));
  const names = ['users', 'pets', 'appointments'].filter((n) => real.objectStoreNames.contains(n));
  const layout = {};
  const read = real.transaction(names, 'readonly');
  for (const name of names) {
    const store = read.objectStore(name);
    layout[name] = { keyPath: store.keyPath, autoIncrement: store.autoIncrement,
      indexes: [...store.indexNames].map((i) => { const index = store.index(i); return { name: i, keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry }; }) };
  }
  const scratchName = 'bench-store-floor-' + Math.random();
  const open = indexedDB.open(scratchName, 1);
  open.onupgradeneeded = () => {
    for (const name of names) {
      const { keyPath, autoIncrement, indexes } = layout[name];
      const store = open.result.createObjectStore(name, keyPath === null ? { autoIncrement } : { keyPath, autoIncrement });
      for (const i of indexes) store.createIndex(i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry });
    }
  };
  const scratch = await request(open);
  let records = 0, transactions = 0, ms = 0;
  for (const name of names) {
    const tx = real.transaction(name, 'readonly');
    const [keys, values] = await Promise.all([request(tx.objectStore(name).getAllKeys()), request(tx.objectStore(name).getAll())]);
    const outOfLine = layout[name].keyPath === null;
    const started = performance.now();
    for (let from = 0; from < values.length; from += 1000) {
      const write = scratch.transaction(name, 'readwrite', { durability: 'relaxed' });
      const store = write.objectStore(name);
      for (let i = from; i < Math.min(from + 1000, values.length); i++) {
        if (outOfLine) store.put(values[i], keys[i]); else store.put(values[i]);
      }
      await done(write);
      transactions++;
    }
    ms += performance.now() - started;
    records += values.length;
  }
  real.close();
  scratch.close();
  await new Promise((resolve) => { const d = indexedDB.deleteDatabase(scratchName); d.onsuccess = d.onerror = d.onblocked = resolve; });
  return { records, transactions, ms: Math.round(ms) };
})()`;

function seedPullDatabase(size: number, workDir: string): string {
  const databasePath = path.join(workDir, 'pull.db');
  log(`seeding ${size} appointments for the initial pull...`);
  execFileSync(process.execPath, ['--import', 'tsx', 'server/seed-cli.ts', '--size', String(size), '--reset'], {
    env: { ...process.env, DATABASE_PATH: databasePath },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return databasePath;
}

async function benchInitialPull(browser: Browser, target: Target): Promise<PullRun> {
  const context = await browser.newContext({ baseURL: target.url });
  try {
    const { page, user } = await openApp(context);
    const serverAppointments = (() => {
      const db = new Database(target.databasePath, { readonly: true });
      try {
        return (
          db
            .prepare('SELECT count(*) AS n FROM appointments WHERE practice_id = ? AND deleted_at IS NULL')
            .get(user.practiceId) as { n: number }
        ).n;
      } finally {
        db.close();
      }
    })();
    const worker = await WorkerTarget.attach(browser, context, page, '/sw.js');
    if (target.network) await worker.throttle(target.network);
    const requests = countRequests(context, (u) => u.pathname === '/api/sync/pull');
    target.proxy?.reset();
    log(`initial pull of ${serverAppointments} appointments${target.network ? ` (${target.network.name})` : ''}...`);
    const profiling = !target.network && process.env.BENCH_WORKER_PROFILE;
    if (profiling) await startWorkerProfile(worker);
    const started = performance.now();
    await askWorker(page, { type: 'SESSION_STARTED', user });
    await waitForFirstPull(page, 600_000);
    const ms = performance.now() - started;
    requests.stop();
    if (profiling) await saveWorkerProfile(worker, profiling, 'initial-pull');
    const bytesDown = target.proxy ? target.proxy.bytes.down : null;
    await worker.throttle(null);
    // Minutes, not the default 10 s: it writes every pulled record again (~9 s for 87,500 here).
    const storeFloor = target.network ? null : await worker.evaluate<StoreFloor>(STORE_FLOOR, 600_000);
    await worker.detach();
    const records = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('smartdmv-offline');
          open.onerror = () => reject(open.error ?? new Error('could not open the smartdmv-offline database'));
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
      bytesDown,
      storeFloor,
    };
  } finally {
    await context.close();
  }
}

interface IdbFloor {
  /** 1,000 puts of a queue-row-sized object in one relaxed read-write transaction (best of 3). */
  worker: { putsPerSecond: number; msPerPut: number };
  page: { putsPerSecond: number; msPerPut: number };
}

const RAW_PUTS = `(async () => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('bench-raw-' + Math.random(), 1);
    open.onupgradeneeded = () => open.result.createObjectStore('rows', { keyPath: 'id' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const runs = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    await new Promise((resolve, reject) => {
      const tx = db.transaction('rows', 'readwrite', { durability: 'relaxed' });
      const store = tx.objectStore('rows');
      for (let i = 0; i < 1000; i++) {
        store.put({ id: run * 1000 + i, opId: crypto.randomUUID(), status: 'pending', data: { title: 'Checkup ' + i, date: new Date().toISOString(), petId: 5, notes: null } });
      }
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    runs.push(performance.now() - started);
  }
  db.close();
  return Math.min(...runs);
})()`;

/**
 * What IndexedDB itself costs in this Chromium, in the service worker and in a page: the floor under
 * every per-operation write.
 */
async function benchRawIndexedDb(browser: Browser, server: RunningServer): Promise<IdbFloor> {
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const { page } = await openApp(context);
    const worker = await WorkerTarget.attach(browser, context, page, '/sw.js');
    const inWorker = await worker.evaluate<number>(RAW_PUTS);
    await worker.detach();
    const inPage = await page.evaluate<number>(RAW_PUTS);
    const floor = (ms: number) => ({ putsPerSecond: perSecond(1000, ms), msPerPut: round(ms / 1000, 3) });
    return { worker: floor(inWorker), page: floor(inPage) };
  } finally {
    await context.close();
  }
}

interface EmulationCheck {
  profile: NetworkProfile;
  path: string;
  bytes: number;
  unthrottledMs: number;
  throttledMs: number;
  /** latency + bytes at the profile's rate: what a fetch must take at least when the profile applies. */
  expectedAtLeastMs: number;
}

/** Shows that the profile applies to the worker's own fetches: one fetch of the worker script, with and without. */
async function checkEmulation(
  browser: Browser,
  server: RunningServer,
  profile: NetworkProfile,
): Promise<EmulationCheck> {
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const { page } = await openApp(context);
    const worker = await WorkerTarget.attach(browser, context, page, '/sw.js');
    const before = await worker.timedFetch('/sw.js');
    await worker.throttle(profile);
    const after = await worker.timedFetch('/sw.js');
    await worker.throttle(null);
    await worker.detach();
    return {
      profile,
      path: '/sw.js',
      bytes: after.bytes,
      unthrottledMs: round(before.ms),
      throttledMs: round(after.ms),
      expectedAtLeastMs: round(profile.latencyMs + (after.bytes * 8 * 1000) / profile.bitsPerSecond),
    };
  } finally {
    await context.close();
  }
}

function benchServerAlone(): unknown {
  log('server alone (npm run bench:server)...');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/server-bench.ts', '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`bench:server failed with ${run.status}`);
  const line = run.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as unknown) : { output: run.stdout };
}

function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: round(os.totalmem() / 1024 ** 3, 1),
    loadAverage: os.loadavg().map((l) => round(l)),
    node: process.version,
    chromium: (() => {
      try {
        return execFileSync(CHROMIUM_PATH, ['--version'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim();
      } catch {
        return 'unknown';
      }
    })(),
  };
}

function printTable(header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  for (const row of all) console.log(row.map((c, i) => (c ?? '').padEnd(widths[i] ?? 0)).join(' | '));
}

const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;

interface ClinicResult {
  n: number;
  check: EmulationCheck | null;
  uncompressed: Side | null;
  compressed: Side | null;
  baseline: Side | null;
  speedup: number | null;
  pullUncompressed: PullRun | null;
  pullCompressed: PullRun | null;
}

function printResults(
  sizes: SizeResult[],
  pull: PullRun | null,
  clinic: ClinicResult | null,
  floor: IdbFloor | null,
): void {
  if (sizes.length > 0) {
    const cell = (f: (s: SizeResult) => string) => sizes.map(f);
    printTable(
      ['loopback', ...sizes.map((s) => `N = ${s.n}`)],
      [
        [
          'offline write p50 / p95 / p99 (ms)',
          ...cell(
            (s) => `${s.ours.writes.latencyMs.p50} / ${s.ours.writes.latencyMs.p95} / ${s.ours.writes.latencyMs.p99}`,
          ),
        ],
        ['offline writes per second', ...cell((s) => String(s.ours.writes.writesPerSecond))],
        ['drain: time to empty queue (ms)', ...cell((s) => String(s.ours.drain.drainMs))],
        ['drain: operations per second', ...cell((s) => String(s.ours.drain.opsPerSecond))],
        ['drain: sync done, pull included (ms)', ...cell((s) => String(s.ours.drain.syncDoneMs))],
        ['drain: HTTP requests (push+pull)', ...cell((s) => String(s.ours.drain.httpRequests))],
        [
          'drain: peak heap page / worker (MB)',
          ...cell((s) => `${s.ours.drain.pageHeapPeakMB} / ${s.ours.drain.workerHeapPeakMB}`),
        ],
        [
          'baseline write p50 / p95 (ms)',
          ...cell((s) =>
            s.baseline ? `${s.baseline.writes.latencyMs.p50} / ${s.baseline.writes.latencyMs.p95}` : '-',
          ),
        ],
        ['baseline drain (ms)', ...cell((s) => (s.baseline ? String(s.baseline.drain.drainMs) : '-'))],
        ['baseline HTTP requests', ...cell((s) => (s.baseline ? String(s.baseline.drain.httpRequests) : '-'))],
        ['speed-up (baseline / ours)', ...cell((s) => (s.speedup ? `${s.speedup}x` : '-'))],
      ],
    );
  }
  if (pull) {
    console.log(
      `initial pull (loopback): ${pull.records} appointments in ${pull.ms} ms (${pull.recordsPerSecond}/s, ${pull.httpRequests} requests), page JS heap ${pull.pageHeapUsedMB} MB`,
    );
    const f = pull.storeFloor;
    if (f) {
      console.log(
        `  floor: IndexedDB alone storing the ${f.records} records that pull stored (all types; same stores and indexes, ${f.transactions} transactions of 1,000, in the worker): ${f.ms} ms; the rest of the pull ${Math.round(pull.ms - f.ms)} ms`,
      );
    }
  }
  if (clinic) {
    const c = clinic;
    if (c.check) {
      console.log(
        `${c.check.profile.name} (${c.check.profile.bitsPerSecond / 1e6} Mbit/s, ${c.check.profile.latencyMs} ms) on the worker's target; check: the worker fetched ${c.check.path} (${kb(c.check.bytes)} on the wire) in ${c.check.throttledMs} ms throttled (at least ${c.check.expectedAtLeastMs} ms expected), ${c.check.unthrottledMs} ms without`,
      );
    }
    const drain = (s: Side | null) => (s ? `${s.drain.drainMs} ms, ${s.drain.httpRequests} requests` : '-');
    const bytes = (s: Side | null) =>
      s?.drain.bytes ? `${kb(s.drain.bytes.up)} up / ${kb(s.drain.bytes.down)} down` : '-';
    const pullCell = (p: PullRun | null) =>
      p ? `${p.ms} ms, ${p.httpRequests} requests, ${p.bytesDown !== null ? kb(p.bytesDown) : '?'} down` : '-';
    printTable(
      [c.check?.profile.name ?? 'clinic', 'uncompressed', 'compressed (gzip up, brotli/gzip down: the product)'],
      [
        [`drain of ${c.n}`, drain(c.uncompressed), drain(c.compressed)],
        ['drain bytes on the wire', bytes(c.uncompressed), bytes(c.compressed)],
        [`baseline (Workbox Queue) drain of ${c.n}`, '-', drain(c.baseline)],
        ['speed-up (baseline / ours, compressed)', '-', c.speedup ? `${c.speedup}x` : '-'],
        [
          `initial pull of ${c.pullUncompressed?.records ?? c.pullCompressed?.records ?? '-'}`,
          pullCell(c.pullUncompressed),
          pullCell(c.pullCompressed),
        ],
      ],
    );
  }
  if (floor) {
    console.log(
      `raw IndexedDB in this Chromium: ${floor.worker.putsPerSecond} puts/s (${floor.worker.msPerPut} ms per put) in the service worker, ${floor.page.putsPerSecond} puts/s in a page`,
    );
  }
}

/**
 * The server under the clinic profile, through counting proxies (bench/lib/proxy.ts): without
 * compression, and as the product sends. The proxies join `proxies` (stopped at the end).
 */
async function clinicTargets(
  server: RunningServer,
  proxies: CountingProxy[],
): Promise<Record<'uncompressed' | 'compressed', Target>> {
  const via = async (mode: ProxyMode): Promise<Target> => {
    const proxy = await startProxy(server.url, mode);
    proxies.push(proxy);
    return { url: proxy.url, databasePath: server.databasePath, proxy, network: CLINIC_WIFI };
  };
  return { uncompressed: await via('identity'), compressed: await via('compressed') };
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'smartdmv-bench-'));
  buildBaseline();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const sizes: SizeResult[] = [];
  let pull: PullRun | null = null;
  let clinic: ClinicResult | null = null;
  let serverAlone: unknown = null;
  let idbFloor: IdbFloor;
  const started = machine();
  // Said before the run, not after it: the browser's version matters as much as the machine
  // (Chromium 150, what Debian's stale package lists install, writes IndexedDB ever slower as a
  // store grows; 156 does not; README, Troubleshooting).
  log(
    `${started.chromium}; ${started.cpus} CPUs (${started.cpuModel}), Node ${started.node}, load ${started.loadAverage.join(' ')}`,
  );
  const servers: RunningServer[] = [];
  const proxies: CountingProxy[] = [];
  const direct = (server: RunningServer): Target => ({
    url: server.url,
    databasePath: server.databasePath,
    proxy: null,
    network: null,
  });
  try {
    const server = await startServer(path.join(workDir, 'bench.db'));
    servers.push(server);
    idbFloor = await benchRawIndexedDb(browser, server);
    for (const n of SIZES) {
      if (SKIP.has('writes')) break;
      const ours = await benchOurs(browser, direct(server), n, true);
      const baseline = SKIP.has('baseline') ? null : await benchBaseline(browser, direct(server), n, true);
      sizes.push({
        n,
        ours,
        baseline,
        speedup: baseline ? round(baseline.drain.drainMs / ours.drain.drainMs, 1) : null,
      });
    }
    await server.stop();

    if (!SKIP.has('clinic')) {
      // A fresh server, uncompressed and as the product sends (clinicTargets).
      const clinicServer = await startServer(path.join(workDir, 'clinic.db'));
      servers.push(clinicServer);
      const clinicVia = await clinicTargets(clinicServer, proxies);
      const check = await checkEmulation(browser, clinicServer, CLINIC_WIFI);
      const uncompressed = await benchOurs(browser, clinicVia.uncompressed, CLINIC_N, false);
      const compressed = await benchOurs(browser, clinicVia.compressed, CLINIC_N, false);
      // The plain Workbox queue against the same server as the product (its small answers are not compressed anyway).
      const baseline = SKIP.has('clinic-baseline')
        ? null
        : await benchBaseline(browser, clinicVia.compressed, CLINIC_N, false);
      const speedup = baseline ? round(baseline.drain.drainMs / compressed.drain.drainMs, 1) : null;
      clinic = {
        n: CLINIC_N,
        check,
        uncompressed,
        compressed,
        baseline,
        speedup,
        pullUncompressed: null,
        pullCompressed: null,
      };
      await clinicServer.stop();
    }

    if (!SKIP.has('pull')) {
      const pullServer = await startServer(seedPullDatabase(PULL_SIZE, workDir));
      servers.push(pullServer);
      pull = await benchInitialPull(browser, direct(pullServer));
      if (clinic) {
        const pullVia = await clinicTargets(pullServer, proxies);
        clinic.pullUncompressed = await benchInitialPull(browser, pullVia.uncompressed);
        clinic.pullCompressed = await benchInitialPull(browser, pullVia.compressed);
      }
      await pullServer.stop();
    }
    if (!SKIP.has('server')) serverAlone = benchServerAlone();
  } finally {
    await browser.close();
    for (const proxy of proxies) await proxy.stop();
    for (const server of servers) await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  printResults(sizes, pull, clinic, idbFloor);
  if (serverAlone) console.log('server alone:', JSON.stringify(serverAlone));
  const result = {
    date: new Date().toISOString(),
    machine: { ...started, loadAverageAtEnd: os.loadavg().map((l) => round(l)) },
    indexedDbFloor: idbFloor,
    sizes,
    initialPull: pull,
    clinic,
    serverAlone,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', JSON.stringify(result, null, 2));
  writeFileSync(`bench/results/bench-${result.date.replace(/[:.]/g, '-')}.json`, JSON.stringify(result, null, 2));
  if (workerDebugLines.length > 0) writeFileSync('bench/results/worker-debug.log', workerDebugLines.join('\n'));
  log('figures written to bench/results/latest.json');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
