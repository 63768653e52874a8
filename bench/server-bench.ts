/**
 * `npm run bench:server`: the sync server alone, over HTTP. A fresh temp database, the real
 * server (`server/main.ts`) in a child process with request logging off, one signed-in client:
 *
 *   push  10,000 appointment creates in batches of 100, then of 1,000, as a service worker sends
 *         them: in order, the next body once the server's 200 for the one before arrived (the
 *         server applied it), while that answer is read; bodies are serialised before the clock starts. Each
 *         size runs in rounds (3 by default) and reports its median round with the range: on
 *         this kind of shared 2-core VM, the same batches take up to ±30% apart minutes (or
 *         seconds) apart, so one round decides nothing;
 *   replay the last round's 1,000-batches again (same opIds: exactly-once answers, nothing applied);
 *   pull  every change back with the cursor, at limit 100 and at limit 1,000.
 *
 * Prints a table; `--json` also prints one JSON line (used by `npm run bench`).
 * Requests go through a lean node:http client (lib/http-client.ts), so the client's own cost stays
 * small beside the server's.
 *
 * Environment: BENCH_SERVER_OPS (default 10000, per round); BENCH_SERVER_ROUNDS (default 3);
 * BENCH_SERVER_SEND=after-answer (each body waits for the whole answer to the one before, as the
 * worker sent them before 2026-11-27); BENCH_SERVER_ACCEPT_ENCODING (default
 * `gzip, deflate, br`, compressed answers as a browser asks for them; `identity` for none).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomFillSync } from 'node:crypto';
import { uuidV7, type PullResponse, type PushOperation, type PushResponse } from '../src/protocol/index.ts';
import { request, type HttpAnswer } from './lib/http-client.ts';
import { required, roundRobin } from './lib/lookup.ts';
import { measurePushFloor, type PushFloor } from './lib/push-floor.ts';
import { startServer } from './lib/server.ts';
import { perSecond, round } from './lib/stats.ts';

const OPS = Number(process.env.BENCH_SERVER_OPS ?? 10_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_SERVER_ROUNDS ?? 3));
/** BENCH_SERVER_SEND=after-answer: each body waits for the whole answer to the one before. */
const AFTER_ANSWER = process.env.BENCH_SERVER_SEND === 'after-answer';
const BATCH_SIZES = [100, 1000];
const PULL_LIMITS = [100, 1000];
const TARGET_OPS_PER_SECOND = 25_000;
const JSON_OUTPUT = process.argv.includes('--json');
const ACCEPT_ENCODING = process.env.BENCH_SERVER_ACCEPT_ENCODING ?? 'gzip, deflate, br';
/** Headers of every request: the session and the encodings asked for. */
const headers = (client: Client, extra: Record<string, string> = {}) => ({
  cookie: client.cookie,
  'accept-encoding': ACCEPT_ENCODING,
  ...extra,
});

interface Client {
  url: string;
  cookie: string;
}

async function login(url: string): Promise<Client> {
  const res = await request(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'reception@northside.example', password: 'demo1234' }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
  if (!cookie) throw new Error('no session cookie');
  return { url, cookie };
}

async function getJson<T>(client: Client, pathname: string): Promise<T> {
  const res = await request(`${client.url}${pathname}`, { headers: headers(client) });
  if (res.status !== 200) throw new Error(`GET ${pathname}: ${res.status}`);
  return JSON.parse(res.text) as T;
}

/** Booked half-hour slots so far: every run books times of its own (one practitioner is never double-booked). */
let slotsTaken = 0;

function appointmentOps(count: number, petIds: number[], practitionerId: number): PushOperation[] {
  // Years before the demo data (around today), so no booking meets a seeded one.
  const day = Date.UTC(2020, 0, 6, 8, 0);
  const first = slotsTaken;
  slotsTaken += count;
  return Array.from({ length: count }, (_, i) => {
    // Ids as the service worker makes them: time-ordered UUIDs (src/protocol/uuid-v7.ts).
    const tempId = `temp_appt_${newId()}`;
    return {
      opId: newId(),
      operation: 'create' as const,
      entityType: 'appointments',
      tempId,
      entityId: tempId,
      data: {
        title: `Bench visit ${i}`,
        type: 'checkup',
        date: new Date(day + (first + i) * 30 * 60_000).toISOString(),
        durationMinutes: 30,
        status: 'scheduled',
        notes: i % 3 === 0 ? 'Bring records' : null,
        petId: roundRobin(petIds, i, 'a pet id'),
        practitionerId,
        practiceId: 1,
      },
      timestamp: day + i,
      practiceId: 1,
      tenantId: 'smartvet',
    };
  });
}

const newId = (): string => uuidV7(Date.now(), (bytes) => randomFillSync(bytes));

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuMs(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = required(stat.split(') ')[1], `the fields of /proc/${pid}/stat`).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
  } catch {
    return null;
  }
}

interface Run {
  ms: number;
  applied: number;
  requests: number;
  /** Server CPU per operation (µs): what the server costs, whatever else the machine runs. */
  serverCpuUsPerOp: number | null;
}

let serverPid: number | undefined;

/**
 * Sends `bodies` in order, as the service worker does (sw/sync/engine.ts): body k+1 leaves once
 * the server's 200 for body k arrived (the server applied batch k), while the answer to k is read
 * and parsed; the server never has two batches at once. `afterAnswer`: body k+1 waits for the
 * whole answer to k (the worker before 2026-11-27).
 */
async function push(client: Client, bodies: string[], afterAnswer = AFTER_ANSWER): Promise<Run> {
  let applied = 0;
  const answers: Promise<HttpAnswer>[] = [];
  const send = (k: number): void => {
    answers[k] = request(
      `${client.url}/api/sync/push`,
      { method: 'POST', headers: headers(client, { 'content-type': 'application/json' }), body: bodies[k] },
      (status) => {
        if (!afterAnswer && status === 200 && k + 1 < bodies.length) send(k + 1);
      },
    );
    answers[k].catch(() => undefined); // awaited in its turn; never an unhandled rejection meanwhile
  };
  const cpuBefore = cpuMs(serverPid);
  const started = performance.now();
  if (bodies.length > 0) send(0);
  for (let k = 0; k < bodies.length; k++) {
    const answer = answers[k];
    if (!answer) throw new Error(`push ${k} was never sent: the one before it was not accepted`);
    const res = await answer;
    const result = JSON.parse(res.text) as PushResponse;
    if (res.status !== 200 || result.failed > 0 || result.conflicts > 0)
      throw new Error(`push failed: ${res.status} ${JSON.stringify(result).slice(0, 300)}`);
    applied += result.processed;
    if (afterAnswer && k + 1 < bodies.length) send(k + 1);
  }
  const ms = performance.now() - started;
  const cpuAfter = cpuMs(serverPid);
  const ops = bodies.length === 0 ? 0 : applied;
  const serverCpuUsPerOp =
    cpuBefore === null || cpuAfter === null || ops === 0 ? null : round(((cpuAfter - cpuBefore) * 1000) / ops, 1);
  return { ms, applied, requests: bodies.length, serverCpuUsPerOp };
}

async function pullAll(client: Client, limit: number): Promise<{ ms: number; changes: number; requests: number }> {
  let cursor: string | null = null;
  let changes = 0;
  let requests = 0;
  const started = performance.now();
  for (;;) {
    const query = new URLSearchParams({ entityTypes: 'users,pets,appointments', limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    const page: PullResponse = await getJson<PullResponse>(client, `/api/sync/pull?${query}`);
    requests++;
    changes += page.changes.length;
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  return { ms: performance.now() - started, changes, requests };
}

function batches(ops: PushOperation[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < ops.length; i += size)
    out.push(JSON.stringify({ operations: ops.slice(i, i + size), clientTimestamp: Date.now() }));
  return out;
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smartdmv-server-bench-'));
  const server = await startServer(path.join(dir, 'bench.db'), { DIST_DIR: dir });
  serverPid = server.process.pid;
  try {
    const client = await login(server.url);
    const pets = await getJson<{ data: { id: number }[] }>(client, '/api/pets');
    const practitioners = await getJson<{ data: { id: number }[] }>(client, '/api/users?role=PRACTITIONER');
    const petIds = pets.data.map((p) => p.id);
    const practitionerId = required(practitioners.data[0], 'a practitioner').id;

    // Warm-up (JIT, statement cache), not measured.
    await push(client, batches(appointmentOps(5000, petIds, practitionerId), 100));

    const pushRuns = [];
    let replay: Run | null = null;
    for (const size of BATCH_SIZES) {
      const rounds: Run[] = [];
      let bodies: string[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        bodies = batches(appointmentOps(OPS, petIds, practitionerId), size);
        const run = await push(client, bodies);
        if (run.applied !== OPS) throw new Error(`expected ${OPS} applied, got ${run.applied}`);
        rounds.push(run);
      }
      const median = required([...rounds].sort((a, b) => a.ms - b.ms)[Math.floor(ROUNDS / 2)], 'the median round');
      pushRuns.push({
        batchSize: size,
        ops: OPS,
        requests: median.requests,
        ms: round(median.ms),
        opsPerSecond: perSecond(OPS, median.ms),
        serverCpuUsPerOp: median.serverCpuUsPerOp,
        rounds: rounds.map((run) => ({
          ms: round(run.ms),
          opsPerSecond: perSecond(OPS, run.ms),
          serverCpuUsPerOp: run.serverCpuUsPerOp,
        })),
      });
      if (size === BATCH_SIZES.at(-1)) replay = await push(client, bodies);
    }

    const pullRuns = [];
    for (const limit of PULL_LIMITS) {
      const run = await pullAll(client, limit);
      pullRuns.push({
        limit,
        changes: run.changes,
        requests: run.requests,
        ms: round(run.ms),
        changesPerSecond: perSecond(run.changes, run.ms),
      });
    }

    const report = {
      ops: OPS,
      push: pushRuns,
      replay: replay && {
        batchSize: BATCH_SIZES.at(-1),
        ops: OPS,
        ms: round(replay.ms),
        opsPerSecond: perSecond(OPS, replay.ms),
        serverCpuUsPerOp: replay.serverCpuUsPerOp,
      },
      pull: pullRuns,
      targetOpsPerSecond: TARGET_OPS_PER_SECOND,
      acceptEncoding: ACCEPT_ENCODING,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverage: os.loadavg().map((l) => round(l)),
      },
    };

    console.log(
      `\nSync server over HTTP, answers ${ACCEPT_ENCODING === 'identity' ? 'uncompressed' : 'compressed'} (${report.machine.cpus} CPUs, ${report.machine.cpuModel}, Node ${report.machine.node}, load ${report.machine.loadAverage.join(' ')})\n`,
    );
    for (const r of pushRuns) {
      const mark = r.opsPerSecond >= TARGET_OPS_PER_SECOND ? 'meets' : 'below';
      const rates = r.rounds.map((x) => x.opsPerSecond);
      const range = r.rounds.length > 1 ? `, rounds ${Math.min(...rates)}–${Math.max(...rates)}` : '';
      console.log(
        `push    batch ${String(r.batchSize).padStart(5)}: ${r.ops} creates in ${r.ms} ms over ${r.requests} requests → ${r.opsPerSecond} ops/s ` +
          `(median of ${r.rounds.length} rounds${range}; ${mark} the ${TARGET_OPS_PER_SECOND} target; server CPU ${r.serverCpuUsPerOp ?? '?'} µs/op)`,
      );
    }
    if (report.replay) {
      console.log(
        `replay  batch ${String(report.replay.batchSize).padStart(5)}: ${report.replay.ops} already-applied opIds in ${report.replay.ms} ms → ` +
          `${report.replay.opsPerSecond} ops/s (nothing applied; server CPU ${report.replay.serverCpuUsPerOp ?? '?'} µs/op)`,
      );
    }
    for (const r of pullRuns) {
      console.log(
        `pull    limit ${String(r.limit).padStart(5)}: ${r.changes} changes in ${r.ms} ms over ${r.requests} requests → ${r.changesPerSecond} changes/s`,
      );
    }
    return report;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printFloor(floor: PushFloor): void {
  console.log(
    `\nWhere a create's time goes, without HTTP (the push code in this process, ${floor.ops} creates in batches of ${floor.batchSize}): ` +
      `${floor.usPerOp} µs/op wall, ${floor.cpuUsPerOp} µs/op CPU, of which SQLite statements ${floor.sqliteUsPerOp} µs/op ` +
      `(that alone allows at most ${floor.sqliteCeilingOpsPerSecond} ops/s here)`,
  );
  for (const s of floor.statements)
    console.log(`  ${String(s.usPerOp).padStart(6)} µs/op  ${String(s.perOp).padStart(5)}×  ${s.sql}`);
}

const report = await main();
// After the server stopped: the floor runs in this process, on a database of its own.
const floor = await measurePushFloor(appointmentOps, OPS, BATCH_SIZES.at(-1) ?? 1000, 5000);
printFloor(floor);
if (JSON_OUTPUT) console.log(JSON.stringify({ ...report, floor }));
