/**
 * Where a pushed create's time goes on the server, without HTTP: the real push code
 * (`pushOperations`) in this process on a fresh SQLite file, with every better-sqlite3 statement
 * timed. The sum of the statements is the floor under the server's push rate on this machine:
 * what SQLite alone needs per create, whatever the JavaScript around it costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database as RawDatabase } from 'better-sqlite3';
import { migrate } from '../../server/db/migrate.ts';
import { createSqliteEngine } from '../../server/db/sqlite.ts';
import { openDatabase } from '../../server/db/open.ts';
import { createMemoryLogger } from '../../server/log.ts';
import { seedDemo } from '../../server/seed/demo.ts';
import { createServices } from '../../server/services.ts';
import { pushOperations } from '../../server/sync/push.ts';
import type { PushOperation } from '../../src/protocol/index.ts';
import { round } from './stats.ts';

export interface StatementCost {
  /** The statement's SQL, shortened. */
  sql: string;
  /** Runs per pushed create, and wall time per pushed create (µs). */
  perOp: number;
  usPerOp: number;
}

export interface PushFloor {
  ops: number;
  batchSize: number;
  /** Wall and CPU time of the whole push per create, in this process (µs). */
  usPerOp: number;
  cpuUsPerOp: number;
  /** Time inside SQLite statements (BEGIN/COMMIT included) per create (µs): the floor. */
  sqliteUsPerOp: number;
  /** What the floor allows at most: 1 s / sqliteUsPerOp. */
  sqliteCeilingOpsPerSecond: number;
  statements: StatementCost[];
}

type Timing = Map<string, { runs: number; ms: number }>;

/** The SQL without its column lists, which say little: `SELECT … FROM appointments a … WHERE …`. */
function shorten(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^SELECT .*? FROM /, 'SELECT … FROM ')
    .replace(/^(INSERT INTO \S+) \(.*?\) VALUES \(.*?\)/, '$1 …')
    .slice(0, 160);
}

/** Wraps `prepare` and `exec` of a better-sqlite3 connection so every statement run is timed by its SQL. */
function timeStatements(raw: RawDatabase, timing: Timing): void {
  const record = (sql: string, started: number) => {
    const entry = timing.get(sql) ?? { runs: 0, ms: 0 };
    entry.runs++;
    entry.ms += performance.now() - started;
    timing.set(sql, entry);
  };
  const prepare = raw.prepare.bind(raw);
  raw.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    for (const method of ['get', 'all', 'run'] as const) {
      const original = stmt[method].bind(stmt);
      (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const started = performance.now();
        try {
          return original(...args);
        } finally {
          record(sql, started);
        }
      };
    }
    return stmt;
  }) as unknown as RawDatabase['prepare'];
  const exec = raw.exec.bind(raw);
  raw.exec = (sql: string) => {
    const started = performance.now();
    try {
      return exec(sql);
    } finally {
      record(sql, started);
    }
  };
}

/**
 * Pushes `ops` (made by `makeOps(count, petIds, practitionerId)`) in batches of `batchSize` after a
 * warm-up of `warmUp`, and reports the statements' share.
 */
export async function measurePushFloor(
  makeOps: (count: number, petIds: number[], practitionerId: number) => PushOperation[],
  ops: number,
  batchSize: number,
  warmUp: number,
): Promise<PushFloor> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smartdmv-push-floor-'));
  const raw = openDatabase(path.join(dir, 'floor.db'));
  try {
    const timing: Timing = new Map();
    timeStatements(raw, timing);
    const db = createSqliteEngine(raw, 'floor');
    await migrate(db);
    await seedDemo(db, { now: Date.now() });
    const services = createServices(db, createMemoryLogger());
    const staff = raw.prepare("SELECT id FROM users WHERE practice_id = 1 AND role = 'ADMIN' LIMIT 1").get() as {
      id: number;
    };
    const petIds = (raw.prepare('SELECT id FROM pets WHERE practice_id = 1 ORDER BY id').all() as { id: number }[]).map(
      (r) => r.id,
    );
    const practitioner = raw
      .prepare("SELECT id FROM users WHERE practice_id = 1 AND role = 'PRACTITIONER' LIMIT 1")
      .get() as { id: number };
    const actor = { practiceId: 1, tenantId: 'smartvet', userId: staff.id, role: 'ADMIN' as const };
    // Bodies are made before the clock starts (making ids and JSON is the client's work).
    const bodiesOf = (count: number): string[] => {
      const bodies: string[] = [];
      const all = makeOps(count, petIds, practitioner.id);
      for (let i = 0; i < all.length; i += batchSize)
        bodies.push(JSON.stringify({ operations: all.slice(i, i + batchSize) }));
      return bodies;
    };
    const pushAll = async (bodies: readonly string[]) => {
      for (const body of bodies) {
        // As the route does: the body parsed, the answer serialised.
        const { operations } = JSON.parse(body) as { operations: unknown[] };
        const response = await pushOperations(services, actor, operations, Date.now());
        if (response.processed !== operations.length)
          throw new Error(`floor: ${response.failed} failed, ${response.conflicts} conflicts`);
        JSON.stringify(response);
      }
    };
    await pushAll(bodiesOf(warmUp));
    const measured = bodiesOf(ops);
    timing.clear();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await pushAll(measured);
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const statements = [...timing]
      .map(([sql, t]) => ({
        sql: shorten(sql),
        perOp: round(t.runs / ops, 3),
        usPerOp: round((t.ms * 1000) / ops, 1),
      }))
      .sort((a, b) => b.usPerOp - a.usPerOp);
    const sqliteUsPerOp = round(([...timing.values()].reduce((sum, t) => sum + t.ms, 0) * 1000) / ops, 1);
    return {
      ops,
      batchSize,
      usPerOp: round((ms * 1000) / ops, 1),
      cpuUsPerOp: round((cpu.user + cpu.system) / ops, 1),
      sqliteUsPerOp,
      sqliteCeilingOpsPerSecond: Math.round(1_000_000 / sqliteUsPerOp),
      statements: statements.filter((s) => s.usPerOp >= 0.1),
    };
  } finally {
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
