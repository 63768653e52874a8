/**
 * `npm run bench:scale`: several server processes on ONE database, as behind a load balancer,
 * with 50 simulated devices pushing and pulling at once over loopback, for a bounded time.
 *
 * Each device keeps a replica (what its pushes' answers and its pulls told it) and sends batches
 * of its own creates, edits and deletes of appointments to a random process, as a tablet behind a
 * load balancer would. Deliveries go wrong on purpose:
 *   - a duplicated delivery: the same batch sent to two processes at once (both answers must agree);
 *   - a lost reply: the batch is applied, the answer thrown away, the batch sent again elsewhere;
 *   - a failed request (network error, 5xx, 429) is retried on another process with backoff.
 * At the end every device pulls to the end, and the run checks against the database itself:
 *   - every device's replica equals the database (same records, same versions, same tombstones);
 *   - every acknowledged create is exactly one row (none lost, none applied twice), and the op
 *     log holds each acknowledged opId once.
 *
 * Prints ops/s, push and pull latency (p50/p95/max), deliveries answered from the op log
 * (duplicates suppressed) and errors, per engine. `--json` prints the report as one JSON line.
 *
 * Environment: SCALE_ENGINES (default `postgres,sqlite`), SCALE_PROCESSES (2), SCALE_DEVICES (50),
 * SCALE_SECONDS (15), SCALE_BATCH (operations per push, 20), SCALE_DUPLICATE (share of pushes
 * delivered twice at once, 0.1), SCALE_LOST_REPLY (share whose answer is lost, 0.05),
 * SCALE_POOL (connections per process on PostgreSQL, 10). PostgreSQL is a throwaway server
 * started by scripts/postgres.sh (Debian's, loopback only), stopped after.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EntityType, PullResponse, PushOperation, PushResponse, PushResult } from '../src/protocol/index.ts';
import { connect } from '../server/db/connect.ts';
import type { Database } from '../server/db/engine.ts';
import { migrate } from '../server/db/migrate.ts';
import { seedDemo } from '../server/seed/demo.ts';
import { required, roundRobin } from './lib/lookup.ts';
import { startServer, type RunningServer } from './lib/server.ts';
import { perSecond, round, summarize } from './lib/stats.ts';

const ENGINES = (process.env.SCALE_ENGINES ?? 'postgres,sqlite').split(',').map((e) => e.trim()) as (
  'postgres' | 'sqlite'
)[];
const PROCESSES = Number(process.env.SCALE_PROCESSES ?? 2);
const DEVICES = Number(process.env.SCALE_DEVICES ?? 50);
const SECONDS = Number(process.env.SCALE_SECONDS ?? 15);
const BATCH = Number(process.env.SCALE_BATCH ?? 20);
const DUPLICATE = Number(process.env.SCALE_DUPLICATE ?? 0.1);
const LOST_REPLY = Number(process.env.SCALE_LOST_REPLY ?? 0.05);
const POOL = process.env.SCALE_POOL ?? '10';
const JSON_OUTPUT = process.argv.includes('--json');
const ACCOUNTS = [
  'reception@northside.example',
  'vet@northside.example',
  'admin@northside.example',
  'reception@harbor.example',
];
const MAX_ATTEMPTS = 8;

interface Session {
  cookie: string;
  practiceId: number;
}

interface Stats {
  pushMs: number[];
  pullMs: number[];
  deliveries: number;
  /** Operations sent again (duplicated deliveries, lost replies) and answered without applying. */
  resent: number;
  retries: number;
  errors: string[];
  /** opId → what the first answer said (realId, version), to compare with later answers. */
  acknowledged: Map<string, { realId: number | undefined; version: number | undefined }>;
  creates: Set<string>;
}

type Replica = Map<string, { version: number; deleted: boolean }>;

const key = (type: string, id: number) => `${type}:${id}`;
const pick = <T>(items: readonly T[]): T =>
  required(items[Math.floor(Math.random() * items.length)], 'an item to pick');

async function request(url: string, init: RequestInit): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
}

async function signIn(server: RunningServer, email: string): Promise<Session> {
  const res = await request(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo1234' }),
  });
  if (!res.ok) throw new Error(`sign-in ${email}: ${res.status}`);
  const body = (await res.json()) as { user: { practiceId: number } };
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`sign-in ${email}: no session cookie`);
  return { cookie, practiceId: body.user.practiceId };
}

/** One push, retried on another process while it fails (network, 5xx, 429). */
async function pushOnce(servers: RunningServer[], session: Session, body: string, stats: Stats): Promise<PushResponse> {
  let lastError = '';
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const server = pick(servers);
    const started = performance.now();
    try {
      const res = await request(`${server.url}/api/sync/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: session.cookie },
        body,
      });
      if (res.ok) {
        const answer = (await res.json()) as PushResponse;
        stats.pushMs.push(performance.now() - started);
        return answer;
      }
      lastError = `push ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      lastError = `push: ${(err as Error).message}`;
    }
    stats.retries++;
    stats.errors.push(lastError);
    await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
  }
  throw new Error(`gave up after ${MAX_ATTEMPTS} attempts: ${lastError}`);
}

/** Delivers one batch the way a flaky network might, and returns the answer the device acts on. */
async function deliver(
  servers: RunningServer[],
  session: Session,
  operations: PushOperation[],
  stats: Stats,
): Promise<PushResult[]> {
  const body = JSON.stringify({ operations, clientTimestamp: Date.now() });
  stats.deliveries++;
  const roll = Math.random();
  let answer: PushResponse;
  if (roll < DUPLICATE) {
    // The same batch at two processes at once: one applies each operation, the other answers it from the op log.
    const [a, b] = await Promise.all([
      pushOnce(servers, session, body, stats),
      pushOnce(servers, session, body, stats),
    ]);
    stats.resent += operations.length;
    for (const [i, op] of operations.entries()) {
      const x = required(a.results[i], `the first answer to ${op.opId}`);
      const y = required(b.results[i], `the second answer to ${op.opId}`);
      if (x.success !== y.success || x.realId !== y.realId || x.version !== y.version) {
        const brief = (r: PushResult) =>
          JSON.stringify({
            success: r.success,
            realId: r.realId,
            version: r.version,
            error: r.error,
            conflict: r.conflictData?.conflictType,
          });
        stats.errors.push(`duplicate answers differ for ${op.opId}: ${brief(x)} vs ${brief(y)}`);
      }
    }
    answer = a;
  } else if (roll < DUPLICATE + LOST_REPLY) {
    // Applied, but the answer never reached the device: it sends the batch again.
    await pushOnce(servers, session, body, stats);
    stats.resent += operations.length;
    answer = await pushOnce(servers, session, body, stats);
  } else {
    answer = await pushOnce(servers, session, body, stats);
  }
  for (const [i, result] of answer.results.entries()) {
    const op = required(operations[i], `the operation answered by result ${i}`);
    if (!result.success) {
      stats.errors.push(
        `${op.operation} ${op.opId}: ${JSON.stringify(result.error ?? result.conflictData).slice(0, 200)}`,
      );
      continue;
    }
    const seen = stats.acknowledged.get(op.opId);
    if (seen && (seen.realId !== result.realId || seen.version !== result.version))
      stats.errors.push(`opId ${op.opId} answered differently`);
    stats.acknowledged.set(op.opId, { realId: result.realId, version: result.version });
    if (op.operation === 'create') stats.creates.add(op.opId);
  }
  return answer.results;
}

async function pullToEnd(
  servers: RunningServer[],
  session: Session,
  replica: Replica,
  cursor: string | null,
  stats: Stats,
): Promise<string | null> {
  for (let attempt = 0; ;) {
    const query = new URLSearchParams({ limit: '500' });
    if (cursor) query.set('cursor', cursor);
    const started = performance.now();
    let page: PullResponse;
    try {
      const res = await request(`${pick(servers).url}/api/sync/pull?${query}`, { headers: { cookie: session.cookie } });
      if (!res.ok) throw new Error(`pull ${res.status}: ${(await res.text()).slice(0, 200)}`);
      page = (await res.json()) as PullResponse;
    } catch (err) {
      stats.errors.push((err as Error).message);
      stats.retries++;
      if (++attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      continue;
    }
    stats.pullMs.push(performance.now() - started);
    for (const change of page.changes) {
      const k = key(change.entityType, change.id);
      const known = replica.get(k);
      // Pages of one type come in change order; a pushed answer may already be newer.
      if (!known || known.version <= change.version)
        replica.set(k, { version: change.version, deleted: change.data.deletedAt !== null });
    }
    cursor = page.cursor;
    if (!page.hasMore) return cursor;
  }
}

interface Device {
  index: number;
  session: Session;
  replica: Replica;
  cursor: string | null;
  /** Its own appointments (real id → version), the ones it edits and deletes. */
  own: Map<number, number>;
  created: number;
}

async function runDevice(
  device: Device,
  servers: RunningServer[],
  petIds: number[],
  deadline: number,
  stats: Stats,
): Promise<void> {
  // Each device books half-hour slots of its own, years ahead of the demo data: no double bookings.
  const base = Date.UTC(2031, 0, 6, 8, 0) + device.index * 20_000 * 30 * 60_000;
  let round_ = 0;
  while (Date.now() < deadline) {
    const operations: PushOperation[] = [];
    const touched = new Set<number>();
    for (let i = 0; i < BATCH; i++) {
      const roll = Math.random();
      const mine = [...device.own.keys()].filter((id) => !touched.has(id));
      const opId = randomUUID();
      if (roll < 0.7 || mine.length === 0) {
        const n = device.created++;
        operations.push({
          opId,
          operation: 'create',
          entityType: 'appointments',
          tempId: `temp_appt_${opId}`,
          data: {
            title: `Load d${device.index} n${n}`,
            type: 'checkup',
            date: new Date(base + n * 30 * 60_000).toISOString(),
            durationMinutes: 30,
            status: 'scheduled',
            petId: pick(petIds),
            practitionerId: null,
          },
          timestamp: Date.now(),
        });
      } else {
        const id = pick(mine);
        touched.add(id);
        const version = required(device.own.get(id), `the version of appointment ${id}`);
        operations.push(
          roll < 0.92
            ? {
                opId,
                operation: 'update',
                entityType: 'appointments',
                entityId: id,
                version,
                data: { notes: `edit ${round_}` },
                timestamp: Date.now(),
              }
            : { opId, operation: 'delete', entityType: 'appointments', entityId: id, version, timestamp: Date.now() },
        );
      }
    }
    const results = await deliver(servers, device.session, operations, stats);
    for (const [i, result] of results.entries()) {
      const op = required(operations[i], `the operation answered by result ${i}`);
      if (!result.success || result.realId === undefined || result.version === undefined) continue;
      device.replica.set(key('appointments', result.realId), {
        version: result.version,
        deleted: op.operation === 'delete',
      });
      if (op.operation === 'delete') device.own.delete(result.realId);
      else device.own.set(result.realId, result.version);
    }
    if (++round_ % 3 === 0)
      device.cursor = await pullToEnd(servers, device.session, device.replica, device.cursor, stats);
  }
}

async function databaseRows(db: Database, practiceId: number): Promise<Replica> {
  const rows = new Map<string, { version: number; deleted: boolean }>();
  for (const type of ['users', 'pets', 'appointments'] as EntityType[]) {
    const all = await db.direct(() =>
      db
        .prepare<{ id: number; version: number; deletedAt: number | null }>(
          `SELECT id, version, deleted_at AS "deletedAt" FROM ${type} WHERE practice_id = ?`,
        )
        .all([practiceId]),
    );
    for (const row of all) rows.set(key(type, row.id), { version: row.version, deleted: row.deletedAt !== null });
  }
  return rows;
}

async function runEngine(engine: 'postgres' | 'sqlite') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smartdmv-scale-'));
  const databasePath = path.join(dir, 'scale.db');
  let databaseUrl: string | undefined;
  // A folder of its own (postgres.sh recreates it readable by the postgres user).
  const pgDir = `${dir}-pg`;
  if (engine === 'postgres')
    databaseUrl = execFileSync('scripts/postgres.sh', ['start', pgDir], { encoding: 'utf8' }).trim();
  const db = connect({ databasePath, databaseUrl, databasePoolSize: 4 });
  const servers: RunningServer[] = [];
  try {
    await migrate(db);
    await seedDemo(db, { now: Date.now() });
    const env: Record<string, string> = {
      DIST_DIR: dir,
      DATABASE_POOL_SIZE: POOL,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
    for (let i = 0; i < PROCESSES; i++) servers.push(await startServer(databasePath, env));
    const sessions = await Promise.all(ACCOUNTS.map((email, i) => signIn(roundRobin(servers, i, 'a server'), email)));
    const petsOf = new Map<number, number[]>();
    for (const session of sessions) {
      if (petsOf.has(session.practiceId)) continue;
      const res = await request(`${required(servers[0], 'a server').url}/api/pets?limit=1000`, {
        headers: { cookie: session.cookie },
      });
      petsOf.set(
        session.practiceId,
        ((await res.json()) as { data: { id: number }[] }).data.map((p) => p.id),
      );
    }
    const stats: Stats = {
      pushMs: [],
      pullMs: [],
      deliveries: 0,
      resent: 0,
      retries: 0,
      errors: [],
      acknowledged: new Map(),
      creates: new Set(),
    };
    const devices: Device[] = Array.from({ length: DEVICES }, (_, index) => ({
      index,
      session: roundRobin(sessions, index, 'a session'),
      replica: new Map(),
      cursor: null,
      own: new Map(),
      created: 0,
    }));
    // Every device starts from a full pull, as a tablet signing in does.
    await Promise.all(
      devices.map(async (d) => void (d.cursor = await pullToEnd(servers, d.session, d.replica, null, stats))),
    );
    stats.pullMs.length = 0;

    const started = performance.now();
    const deadline = Date.now() + SECONDS * 1000;
    await Promise.all(
      devices.map((d) => {
        const petIds = required(petsOf.get(d.session.practiceId), `practice ${d.session.practiceId}'s pets`);
        return runDevice(d, servers, petIds, deadline, stats);
      }),
    );
    const ms = performance.now() - started;
    await Promise.all(
      devices.map(async (d) => void (d.cursor = await pullToEnd(servers, d.session, d.replica, d.cursor, stats))),
    );

    // The checks, against the database itself.
    const truth = new Map<number, Replica>();
    for (const practiceId of petsOf.keys()) truth.set(practiceId, await databaseRows(db, practiceId));
    let replicasDiffering = 0;
    for (const device of devices) {
      const expected = required(truth.get(device.session.practiceId), `practice ${device.session.practiceId}'s rows`);
      const same =
        expected.size === device.replica.size &&
        [...expected].every(
          ([k, v]) => device.replica.get(k)?.version === v.version && device.replica.get(k)?.deleted === v.deleted,
        );
      if (!same) replicasDiffering++;
    }
    const loadRows = await db.direct(() =>
      db
        .prepare<{ title: string; n: number }>(
          "SELECT title, COUNT(*) AS n FROM appointments WHERE title LIKE 'Load %' GROUP BY title",
        )
        .all(),
    );
    const appliedTwice = loadRows.filter((r) => r.n > 1).length;
    const createsStored = loadRows.length;
    const opLogRows = Number(await db.direct(() => db.prepare('SELECT COUNT(*) FROM op_log').value()));
    const applied = stats.acknowledged.size;
    const lost = stats.creates.size - createsStored;
    const push = summarize(stats.pushMs);
    const pull = summarize(stats.pullMs);
    return {
      engine,
      processes: PROCESSES,
      devices: DEVICES,
      seconds: round(ms / 1000, 1),
      opsApplied: applied,
      opsPerSecond: perSecond(applied, ms),
      pushRequests: push.count,
      push: { p50: push.p50, p95: push.p95, max: push.max },
      pullRequests: pull.count,
      pull: { p50: pull.p50, p95: pull.p95, max: pull.max },
      duplicatesSuppressed: stats.resent,
      retries: stats.retries,
      errors: stats.errors.length,
      firstErrors: stats.errors.slice(0, 3),
      createsAcknowledged: stats.creates.size,
      createsStored,
      lost,
      appliedTwice,
      opLogRows,
      opLogMatches: opLogRows === applied,
      replicasDiffering,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.close();
    if (engine === 'postgres') execFileSync('scripts/postgres.sh', ['stop', pgDir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

const reports = [];
for (const engine of ENGINES) {
  const r = await runEngine(engine);
  reports.push(r);
  console.log(
    `\n${r.engine}: ${r.processes} processes, ${r.devices} devices, ${r.seconds} s (load ${os
      .loadavg()
      .map((l) => round(l, 1))
      .join(' ')})\n` +
      `  ${r.opsApplied} operations applied → ${r.opsPerSecond} ops/s; push p50 ${r.push.p50} ms, p95 ${r.push.p95} ms, max ${r.push.max} ms over ${r.pushRequests} requests; ` +
      `pull p95 ${r.pull.p95} ms over ${r.pullRequests} requests\n` +
      `  duplicates suppressed ${r.duplicatesSuppressed} operations; retries ${r.retries}; errors ${r.errors}${r.errors ? ` (${r.firstErrors.join(' | ')})` : ''}\n` +
      `  creates acknowledged ${r.createsAcknowledged}, stored ${r.createsStored}: lost ${r.lost}, applied twice ${r.appliedTwice}; op log ${r.opLogRows} rows ${r.opLogMatches ? '= ' : '≠ '}operations applied; ` +
      `replicas differing from the database: ${r.replicasDiffering} of ${r.devices}`,
  );
}
if (JSON_OUTPUT) console.log(JSON.stringify(reports));
const failed = reports.some(
  (r) => r.lost !== 0 || r.appliedTwice !== 0 || r.replicasDiffering !== 0 || !r.opLogMatches,
);
process.exitCode = failed ? 1 : 0;
