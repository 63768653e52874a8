/**
 * `npm run bench:load`: a bounded load test of the real server (child process, SQLite file) over
 * loopback, with the worst cases the probe of issue 9 found. Phases, one after the other:
 *
 *   setup   seed BENCH_LOAD_SIZE appointments per practice; give one pet 2,000 appointments;
 *   mixed   BENCH_LOAD_DEVICES devices of two practices push (creates and edits), pull with the
 *           cursor and list a day, for BENCH_LOAD_SECONDS; meanwhile 20 owner changes of the
 *           2,000-appointment pet, whole-practice lists paged 1,000 at a time, unpaged lists,
 *           and a static-file probe;
 *   burst   wrong passwords at BENCH_LOAD_BURST_RATE per second (the probe's pace; 20 clients)
 *           for BENCH_LOAD_BURST_SECONDS, with the static-file and health probes still running.
 *
 * Reports per route p50/p95/max latency and errors, the slowest request, static-file latency
 * before and during the burst, sign-in answers during the burst, and the server's RSS before and
 * after. `--json` also prints the report as one JSON line. Phases are plain functions over a
 * shared context: add one to `PHASES` to extend the run.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { PullResponse, PushOperation, PushResponse } from '../src/protocol/index.ts';
import { migrate } from '../server/db/migrate.ts';
import { openSqlite } from '../server/db/sqlite.ts';
import { seedDemo } from '../server/seed/demo.ts';
import { required, roundRobin } from './lib/lookup.ts';
import { Recorder } from './lib/recorder.ts';
import { startServer, type RunningServer } from './lib/server.ts';
import { round, summarize } from './lib/stats.ts';

const SIZE = Number(process.env.BENCH_LOAD_SIZE ?? 25_000);
const DEVICES = Number(process.env.BENCH_LOAD_DEVICES ?? 6);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const BURST_SECONDS = Number(process.env.BENCH_LOAD_BURST_SECONDS ?? 5);
const THINK_MS = Number(process.env.BENCH_LOAD_THINK_MS ?? 100);
/** Wrong passwords per second during the burst: the probe of issue 9 sent 47/s. */
const BURST_RATE = Number(process.env.BENCH_LOAD_BURST_RATE ?? 50);
const JSON_OUTPUT = process.argv.includes('--json');
const PASSWORD = 'demo1234';
const STAFF = [
  ['reception@northside.example', 'vet@northside.example', 'lena.okafor@northside.example', 'admin@northside.example'],
  ['reception@harbor.example', 'priya.nair@harbor.example', 'tom.walsh@harbor.example'],
] as const;

interface Session {
  cookie: string;
  practiceId: number;
}

/** A page of a list route, of which the bench reads the ids. */
interface IdList {
  data: { id: number }[];
}

interface Context {
  server: RunningServer;
  rec: Recorder;
  staticPath: string;
  popularPetId: number;
  /** Practice 1's client ids, for owner changes. */
  clientIds: number[];
  petIds: Map<number, number[]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const json = (session: Session, body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', cookie: session.cookie },
  body: JSON.stringify(body),
});

async function signIn(rec: Recorder, email: string): Promise<Session> {
  const res = await rec.call('POST /api/auth/login', '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  const body = res.body as { user: { practiceId: number } } | null;
  if (!cookie || !body) throw new Error(`sign-in of ${email} failed: ${res.status}`);
  return { cookie, practiceId: body.user.practiceId };
}

function createOps(petIds: readonly number[], count: number, tag: string, dayOffset = 1): PushOperation[] {
  const base = Date.now() + dayOffset * 86_400_000;
  return Array.from({ length: count }, (_, i) => ({
    opId: randomUUID(),
    operation: 'create' as const,
    entityType: 'appointments',
    tempId: `temp_appt_${tag}_${i}`,
    data: {
      title: `Load ${tag} ${i}`,
      type: 'checkup',
      date: new Date(base + i * 60_000).toISOString(),
      durationMinutes: 30,
      petId: roundRobin(petIds, i, 'a pet id'),
      practitionerId: null,
    },
    timestamp: Date.now(),
  }));
}

function rssMb(pid: number | undefined): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return round(Number(line?.split(/\s+/)[1] ?? 0) / 1024, 1);
}

/** Seeds the database file before the server opens it (the demo seed is one fast transaction). */
async function seed(databasePath: string): Promise<void> {
  const db = openSqlite(databasePath);
  await migrate(db);
  await seedDemo(db, { now: Date.now(), size: SIZE });
  await db.close();
}

/** The built app when there is one, else a small stand-in with a 200 KB asset. */
function distDir(dir: string): { dist: string; staticPath: string } {
  const built = path.resolve('dist');
  const asset = existsSync(path.join(built, 'assets'))
    ? /src="(\/assets\/[^"]+\.js)"/.exec(readFileSync(path.join(built, 'index.html'), 'utf8'))?.[1]
    : undefined;
  if (asset) return { dist: built, staticPath: asset };
  const dist = path.join(dir, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(
    path.join(dist, 'index.html'),
    '<!doctype html><script type="module" src="/assets/app-0000.js"></script>',
  );
  writeFileSync(path.join(dist, 'assets', 'app-0000.js'), `// stand-in\n${'console.log(1);\n'.repeat(13_000)}`);
  return { dist, staticPath: '/assets/app-0000.js' };
}

/** Calls `probe` every `everyMs` until `stop()`; returns stop. */
function every(everyMs: number, probe: () => Promise<unknown>): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      await probe();
      await sleep(everyMs);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

// ---------------------------------------------------------------- phases

async function setup(ctx: Context): Promise<void> {
  const admin = await signIn(ctx.rec, 'admin@northside.example');
  for (const practiceId of [1, 2]) {
    const session = practiceId === 1 ? admin : await signIn(ctx.rec, STAFF[1][0]);
    const pets = await ctx.rec.call('GET /api/pets (page of 1,000)', '/api/pets?limit=1000', {
      headers: { cookie: session.cookie },
    });
    ctx.petIds.set(
      practiceId,
      ((pets.body as IdList | null)?.data ?? []).map((p) => p.id),
    );
  }
  const clients = await ctx.rec.call('GET /api/users?role=CLIENT', '/api/users?role=CLIENT&limit=50', {
    headers: { cookie: admin.cookie },
  });
  ctx.clientIds = ((clients.body as IdList | null)?.data ?? []).map((c) => c.id);
  ctx.popularPetId = required(ctx.petIds.get(1)?.[0], 'a pet in practice 1');
  // The probe's pet: 2,000 appointments, spread over past and future.
  for (const [i, offset] of [-400, 400].entries()) {
    await ctx.rec.call(
      'setup: push 1,000 creates',
      '/api/sync/push',
      json(admin, {
        operations: createOps([ctx.popularPetId], 1000, `popular${i}`, offset),
        clientTimestamp: Date.now(),
      }),
    );
  }
}

async function device(ctx: Context, session: Session, index: number, until: number): Promise<void> {
  let cursor: string | null = null;
  let iteration = 0;
  const mine: number[] = [];
  const petIds = required(ctx.petIds.get(session.practiceId), `the pets of practice ${session.practiceId}`);
  const today = new Date().toISOString().slice(0, 10);
  while (performance.now() < until) {
    const ops = createOps(petIds, 20, `d${index}r${iteration++}`);
    const edits = mine.slice(-5).map((id) => ({
      opId: randomUUID(),
      operation: 'update' as const,
      entityType: 'appointments',
      entityId: id,
      data: { notes: `edit ${iteration}` },
      timestamp: Date.now(),
    }));
    const push = await ctx.rec.call(
      'POST /api/sync/push',
      '/api/sync/push',
      json(session, { operations: [...ops, ...edits], clientTimestamp: Date.now() }),
    );
    for (const r of (push.body as PushResponse | null)?.results ?? [])
      if (r.success && r.realId && r.tempId) mine.push(r.realId);
    do {
      const query = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) });
      const page = await ctx.rec.call('GET /api/sync/pull', `/api/sync/pull?${query}`, {
        headers: { cookie: session.cookie },
      });
      const body = page.body as PullResponse | null;
      if (!body) break;
      cursor = body.cursor;
      if (!body.hasMore) break;
    } while (performance.now() < until);
    await ctx.rec.call('GET /api/appointments?date= (a day)', `/api/appointments?date=${today}`, {
      headers: { cookie: session.cookie },
    });
    await sleep(THINK_MS);
  }
}

async function mixed(ctx: Context): Promise<void> {
  const sessions = await Promise.all(
    Array.from({ length: DEVICES }, (_, i) =>
      signIn(ctx.rec, roundRobin(roundRobin(STAFF, i, 'a practice'), Math.floor(i / 2), 'a staff account')),
    ),
  );
  const until = performance.now() + SECONDS * 1000;
  const admin = await signIn(ctx.rec, 'admin@northside.example');
  const stopStatic = every(100, () =>
    ctx.rec.call('GET static asset (steady)', ctx.staticPath, { headers: { 'accept-encoding': 'br, gzip' } }),
  );

  const ownerChanges = (async () => {
    for (let i = 0; i < 20 && performance.now() < until; i++) {
      const ownerId = roundRobin(ctx.clientIds, i, 'a client of practice 1');
      const op = {
        opId: randomUUID(),
        operation: 'update',
        entityType: 'pets',
        entityId: ctx.popularPetId,
        data: { ownerId },
        timestamp: Date.now(),
      };
      await ctx.rec.call(
        'push: owner change of a pet with 2,000 appointments',
        '/api/sync/push',
        json(admin, { operations: [op], clientTimestamp: Date.now() }),
      );
      await sleep((SECONDS * 1000) / 25);
    }
  })();

  const bigLists = (async () => {
    while (performance.now() < until) {
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${cursor}` : '';
        const page = await ctx.rec.call(
          'GET /api/appointments (page of 1,000)',
          `/api/appointments?limit=1000${query}`,
          { headers: { cookie: admin.cookie } },
        );
        cursor = (page.body as { nextCursor: string | null } | null)?.nextCursor ?? null;
        await sleep(THINK_MS);
      } while (cursor && performance.now() < until);
      await ctx.rec.call('GET /api/appointments (no filter)', '/api/appointments', {
        headers: { cookie: admin.cookie },
      });
      await ctx.rec.call('GET /api/pets (no filter)', '/api/pets', { headers: { cookie: admin.cookie } });
      await sleep(500);
    }
  })();

  await Promise.all([...sessions.map((s, i) => device(ctx, s, i, until)), ownerChanges, bigLists]);
  await stopStatic();
}

async function burst(ctx: Context): Promise<void> {
  const until = performance.now() + BURST_SECONDS * 1000;
  const stopStatic = every(100, () =>
    ctx.rec.call('GET static asset (during the burst)', ctx.staticPath, { headers: { 'accept-encoding': 'br, gzip' } }),
  );
  const stopHealth = every(100, () => ctx.rec.call('GET /api/health (during the burst)', '/api/health'));
  const attackers = 20;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: attackers }, async (_, attacker) => {
      for (let i = 0; performance.now() < until; i++) {
        // Each client keeps its share of the rate: attempt i of this client is due at this time.
        const due = started + ((i * attackers + attacker) * 1000) / BURST_RATE;
        if (due > performance.now()) await sleep(due - performance.now());
        const email = i % 2 === 0 ? 'reception@northside.example' : `guess${attacker}-${i}@northside.example`;
        await ctx.rec.call(
          'POST /api/auth/login (wrong password)',
          '/api/auth/login',
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password: `wrong-${i}` }),
          },
          [401, 429],
        );
      }
    }),
  );
  await Promise.all([stopStatic(), stopHealth()]);
}

const PHASES: [string, (ctx: Context) => Promise<void>][] = [
  ['setup', setup],
  ['mixed', mixed],
  ['burst', burst],
];

// ---------------------------------------------------------------- run and report

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smartdmv-load-'));
  const databasePath = path.join(dir, 'load.db');
  const seedStarted = performance.now();
  await seed(databasePath);
  const seedMs = performance.now() - seedStarted;
  const { dist, staticPath } = distDir(dir);
  const server = await startServer(databasePath, { DIST_DIR: dist });
  try {
    const rec = new Recorder(server.url);
    const ctx: Context = { server, rec, staticPath, popularPetId: 0, clientIds: [], petIds: new Map() };
    const rssBefore = rssMb(server.process.pid);
    const phaseMs: Record<string, number> = {};
    for (const [name, phase] of PHASES) {
      const t0 = performance.now();
      await phase(ctx);
      phaseMs[name] = round(performance.now() - t0, 0);
    }
    const rssAfter = rssMb(server.process.pid);
    const logins = rec.samples.filter((s) => s.label === 'POST /api/auth/login (wrong password)');
    const config: LoadConfig = {
      appointmentsPerPractice: SIZE,
      devices: DEVICES,
      seconds: SECONDS,
      burstSeconds: BURST_SECONDS,
      burstRate: BURST_RATE,
      thinkMs: THINK_MS,
      seedMs: round(seedMs, 0),
    };
    const report = {
      config,
      phaseMs,
      routes: rec.routes(),
      slowest: rec.slowest(),
      errors: rec.errors.slice(0, 20),
      errorCount: rec.errors.length,
      burst: {
        attempts: logins.length,
        perSecond: round(logins.length / BURST_SECONDS, 0),
        answered401: logins.filter((s) => s.status === 401).length,
        answered429: logins.filter((s) => s.status === 429).length,
      },
      staticLatencyMs: {
        steady: summarize(rec.samples.filter((s) => s.label === 'GET static asset (steady)').map((s) => s.ms)),
        duringBurst: summarize(
          rec.samples.filter((s) => s.label === 'GET static asset (during the burst)').map((s) => s.ms),
        ),
      },
      rssMb: { before: rssBefore, after: rssAfter },
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverage: os.loadavg().map((l) => round(l)),
      },
    };
    print(report);
    if (JSON_OUTPUT) console.log(JSON.stringify(report));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface LoadConfig {
  appointmentsPerPractice: number;
  devices: number;
  seconds: number;
  burstSeconds: number;
  burstRate: number;
  thinkMs: number;
  seedMs: number;
}

function print(report: {
  config: LoadConfig;
  routes: ReturnType<Recorder['routes']>;
  slowest: ReturnType<Recorder['slowest']>;
  errorCount: number;
  errors: { label: string; detail: string }[];
  burst: Record<string, number>;
  staticLatencyMs: { steady: { p50: number; p95: number }; duringBurst: { p50: number; p95: number } };
  rssMb: { before: number; after: number };
  machine: { cpus: number; cpuModel: string; node: string; loadAverage: number[] };
}): void {
  const { config, machine } = report;
  console.log(
    `\nLoad test: ${config.devices} devices, ${config.appointmentsPerPractice.toLocaleString('en-US')} appointments per practice, ${config.seconds} s mixed + ${config.burstSeconds} s burst ` +
      `(${machine.cpus} CPUs, ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverage.join(' ')})\n`,
  );
  const width = Math.max(...report.routes.map((r) => r.label.length));
  console.log(`${'route'.padEnd(width)}  requests      p50 ms      p95 ms      max ms  errors`);
  for (const r of report.routes) {
    console.log(
      `${r.label.padEnd(width)}  ${String(r.count).padStart(8)}  ${r.p50.toFixed(1).padStart(10)}  ${r.p95.toFixed(1).padStart(10)}  ${r.max.toFixed(1).padStart(10)}  ${String(r.errors).padStart(6)}`,
    );
  }
  if (report.slowest)
    console.log(
      `\nslowest request: ${report.slowest.label}, ${report.slowest.ms} ms, ${report.slowest.at} s into the run (HTTP ${report.slowest.status})`,
    );
  console.log(
    `wrong-password burst: ${report.burst.attempts} attempts (${report.burst.perSecond}/s): ${report.burst.answered401} answered 401, ${report.burst.answered429} answered 429`,
  );
  const { steady, duringBurst } = report.staticLatencyMs;
  console.log(
    `static file p50/p95: ${steady.p50}/${steady.p95} ms under the mixed load, ${duringBurst.p50}/${duringBurst.p95} ms during the burst`,
  );
  console.log(`server RSS: ${report.rssMb.before} MB before, ${report.rssMb.after} MB after`);
  console.log(`errors: ${report.errorCount}${report.errors.map((e) => `\n  ${e.label}: ${e.detail}`).join('')}`);
}

await main();
