/**
 * A real server for tests: a SQLite file in a temp folder (or, when TEST_DATABASE_URL names a
 * PostgreSQL server, a fresh database on it: see tests/postgres-setup.ts), migrated and seeded,
 * the HTTP app on an ephemeral port, an injected clock, and a small fetch client that keeps the
 * session cookie. Checks in SQL go through `server.sql`, on either engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createApp, type AppDeps } from '../../server/app.ts';
import { migrate } from '../../server/db/migrate.ts';
import pg from 'pg';
import type { Database, Params } from '../../server/db/engine.ts';
import type { SqliteDatabase } from '../../server/db/open.ts';
import { openPostgres } from '../../server/db/postgres.ts';
import { openSqlite, type SqliteEngine } from '../../server/db/sqlite.ts';
import { createMemoryLogger } from '../../server/log.ts';
import { seedDemo, type SeedOptions } from '../../server/seed/demo.ts';
import type { PushOperation, PushResponse, PullResponse } from '../../src/protocol/index.ts';

/** 2026-03-10T09:00:00Z: a Tuesday, the "today" of every test. */
export const T0 = Date.UTC(2026, 2, 10, 9, 0, 0);

export interface Clock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function createClock(start = T0): Clock {
  let current = start;
  return { now: () => current, set: (ms) => void (current = ms), advance: (ms) => void (current += ms) };
}

export interface TestServer {
  url: string;
  /** The better-sqlite3 connection (SQLite only: throws on PostgreSQL; use `sql`). */
  readonly db: SqliteDatabase;
  /** The server's database. */
  engine: Database;
  /** Checks in SQL (`?` parameters), on either engine. */
  sql: Sql;
  /** The DATABASE_URL of a PostgreSQL test database; undefined on SQLite. */
  databaseUrl: string | undefined;
  clock: Clock;
  lines: string[];
  /** The exact log lines written (JSON). */
  raw: string[];
  dir: string;
  client(): Client;
  login(email?: string, password?: string): Promise<Client>;
  close(): Promise<void>;
}

export interface TestResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface Client {
  cookie: string | null;
  request<T = any>(
    method: string,
    pathname: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<TestResponse<T>>;
  push(operations: unknown[], extra?: Record<string, unknown>): Promise<TestResponse<PushResponse>>;
  pull(query?: Record<string, string | number>): Promise<TestResponse<PullResponse>>;
}

export const NORTHSIDE = { practiceId: 1, tenantId: 'smartvet', email: 'reception@northside.example' };
export const HARBOR = { practiceId: 2, tenantId: 'harborvet', email: 'reception@harbor.example' };

export interface TestServerOptions extends Partial<
  Pick<AppDeps, 'http' | 'throttle' | 'sessionPurgeIntervalMs' | 'retentionMs' | 'distDir' | 'faultInjection'>
> {
  seed?: Partial<SeedOptions> | false;
  /**
   * Runs on the fresh, empty database before the server migrates it: an upgrade test migrates part
   * of the way and writes rows as an older server did (then usually `seed: false`).
   */
  before?: (engine: Database, now: number) => Promise<void>;
}

export interface Sql {
  value<V = any>(sql: string, ...params: unknown[]): Promise<V>;
  values<V = any>(sql: string, ...params: unknown[]): Promise<V[]>;
  get<R = any>(sql: string, ...params: unknown[]): Promise<R>;
  all<R = any>(sql: string, ...params: unknown[]): Promise<R[]>;
  run(sql: string, ...params: unknown[]): Promise<number>;
  exec(sql: string): Promise<void>;
}

export function sqlOn(db: Database): Sql {
  const p = (params: unknown[]): Params => params;
  return {
    value: (sql, ...params) => db.direct<any>(() => db.prepare(sql).value(p(params))),
    values: (sql, ...params) => db.direct<any[]>(() => db.prepare(sql).values(p(params))),
    get: (sql, ...params) => db.direct(() => db.prepare(sql).get(p(params))) as Promise<any>,
    all: (sql, ...params) => db.direct(() => db.prepare(sql).all(p(params))) as Promise<any[]>,
    run: async (sql, ...params) => (await db.direct(() => db.prepare(sql).run(p(params)))).changes,
    exec: (sql) => db.direct(() => db.exec(sql)),
  };
}

/** The engine the server tests run on: PostgreSQL when TEST_DATABASE_URL is set (tests/postgres-setup.ts). */
export const ON_POSTGRES = Boolean(process.env.TEST_DATABASE_URL);

/** A fresh, empty database: a SQLite file in `dir`, or a new database on the test PostgreSQL server. */
async function freshDatabase(
  dir: string,
): Promise<{ engine: Database; url: string | undefined; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) return { engine: openSqlite(path.join(dir, 'test.db')), url: undefined, drop: async () => {} };
  const name = `t_${randomUUID().replace(/-/g, '')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const parsed = new URL(admin);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  return { engine: openPostgres(url, { max: 4 }), url, drop: () => run(`DROP DATABASE ${name} WITH (FORCE)`) };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smartdmv-test-'));
  const database = await freshDatabase(dir);
  const engine = database.engine;
  const clock = createClock();
  await options.before?.(engine, clock.now());
  await migrate(engine);
  if (options.seed !== false) await seedDemo(engine, { now: clock.now(), ...(options.seed ?? {}) });
  const logger = createMemoryLogger();
  const { seed: _seed, before: _before, ...appOptions } = options;
  const app = await createApp({ db: engine, distDir: path.join(dir, 'dist'), logger, now: clock.now, ...appOptions });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const client = (): Client => {
    const c: Client = {
      cookie: null,
      async request(method, pathname, body, headers = {}) {
        const init: RequestInit = { method, headers: { ...headers } };
        if (c.cookie) (init.headers as Record<string, string>).cookie = c.cookie;
        if (body !== undefined) {
          (init.headers as Record<string, string>)['content-type'] = 'application/json';
          init.body = typeof body === 'string' ? body : JSON.stringify(body);
        }
        const res = await fetch(`${url}${pathname}`, init);
        const setCookie = res.headers.get('set-cookie');
        if (setCookie) {
          const pair = setCookie.split(';')[0]!;
          c.cookie = setCookie.includes('Max-Age=0') ? null : pair;
        }
        const text = await res.text();
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        return { status: res.status, body: parsed as any, headers: res.headers, text };
      },
      push: (operations, extra = {}) =>
        c.request('POST', '/api/sync/push', { operations, clientTimestamp: clock.now(), ...extra }),
      pull: (query = {}) => {
        const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
        return c.request('GET', `/api/sync/pull?${params}`);
      },
    };
    return c;
  };

  return {
    url,
    get db(): SqliteDatabase {
      if (!('raw' in engine)) throw new Error('server.db is the SQLite connection; on PostgreSQL use server.sql');
      return (engine as SqliteEngine).raw;
    },
    engine,
    sql: sqlOn(engine),
    databaseUrl: database.url,
    clock,
    lines: logger.lines,
    raw: logger.raw,
    dir,
    client,
    async login(email = NORTHSIDE.email, password = 'demo1234') {
      const c = client();
      const res = await c.request('POST', '/api/auth/login', { email, password });
      if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${res.text}`);
      return c;
    },
    async close() {
      app.server.closeAllConnections();
      await app.close();
      await engine.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A started test server with the Northside front desk signed in, and the seeded ids of practice 1. */
export interface StaffServer {
  server: TestServer;
  client: Client;
  ids: SeedIds;
}

/**
 * The setup of a server test file (or describe block): registers the vitest hooks that start a test server
 * before its tests and close it after them, and returns a handle whose fields the tests read: `t.server`,
 * and what `setup` adds to it once the server runs (more sign-ins, ids). Options may be a function, called
 * when the server starts (for a value made in an earlier hook). Reading a field before the start throws.
 */
export function useTestServer<Extra extends object = object>(
  options: TestServerOptions | (() => TestServerOptions) = {},
  setup: (server: TestServer) => Promise<Extra> = async () => ({}) as Extra,
): { server: TestServer } & Extra {
  type Handle = { server: TestServer } & Extra;
  let server: TestServer | undefined;
  let started: Handle | undefined;
  beforeAll(async () => {
    server = await startTestServer(typeof options === 'function' ? options() : options);
    started = { ...(await setup(server)), server };
  });
  afterAll(() => server?.close());
  return new Proxy({} as Handle, {
    get(_handle, field) {
      if (!started) throw new Error(`t.${String(field)} is read before the test server started: read it inside a test`);
      return started[field as keyof Handle];
    },
    set(_handle, field) {
      throw new Error(`t.${String(field)} is the shared setup's: keep a new value in a variable of the test`);
    },
  });
}

/**
 * `useTestServer` with the Northside front desk signed in (`t.client`) and the seeded ids of practice 1
 * (`t.ids`): the setup most server test files share.
 */
export function useServerWithStaff<Extra extends object = object>(
  options: TestServerOptions | (() => TestServerOptions) = {},
  setup: (started: StaffServer) => Promise<Extra> = async () => ({}) as Extra,
): StaffServer & Extra {
  return useTestServer(options, async (server) => {
    const started: StaffServer = { server, client: await server.login(), ids: await seedIds(server, 1) };
    return { ...(await setup(started)), client: started.client, ids: started.ids };
  });
}

let counter = 0;
/** A push operation with a fresh opId and the client timestamp filled in. */
export function op(
  fields: Omit<PushOperation, 'opId' | 'timestamp'> & Partial<Pick<PushOperation, 'opId' | 'timestamp'>>,
): PushOperation {
  return { opId: `op-${randomUUID()}`, timestamp: T0 + ++counter, ...fields };
}

/** The rest of an operation a test may set (a temp id, a version, forged ids...). */
type OpFields = Partial<Omit<PushOperation, 'operation' | 'entityType'>>;

/** `op`: a create of an `entityType` record with `data`. */
export function createOp(entityType: string, data: PushOperation['data'], fields: OpFields = {}): PushOperation {
  return op({ operation: 'create', entityType, data, ...fields });
}

/** `op`: an update of record `entityId` with the changed fields `data`. */
export function updateOp(
  entityType: string,
  entityId: PushOperation['entityId'],
  data: PushOperation['data'],
  fields: OpFields = {},
): PushOperation {
  return op({ operation: 'update', entityType, entityId, data, ...fields });
}

/** `op`: a delete of record `entityId`. */
export function deleteOp(
  entityType: string,
  entityId: PushOperation['entityId'],
  fields: OpFields = {},
): PushOperation {
  return op({ operation: 'delete', entityType, entityId, ...fields });
}

export function tempId(kind: string): string {
  return `temp_${kind}_${randomUUID()}`;
}

export interface SeedIds {
  clientId: number;
  otherClientId: number;
  petId: number;
  petOwnerId: number;
  practitionerId: number;
  staffId: number;
  appointmentId: number;
}

/**
 * Empty SQLite files for tests of the database layer, each in a temp folder of its own (`prefix`):
 * every one opened during a test is closed and removed after it.
 */
export function tempSqliteFiles(prefix: string): () => SqliteEngine {
  const dirs: string[] = [];
  const dbs: SqliteEngine[] = [];
  afterEach(() => {
    dbs.splice(0).forEach((db) => void db.close());
    dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    const db = openSqlite(path.join(dir, 'db.sqlite'));
    dbs.push(db);
    return db;
  };
}

/** A better-sqlite3 connection as the reads of an `Sql`, answered at once (no promises). */
function syncSql(db: SqliteDatabase) {
  return {
    value: (sql: string, ...params: unknown[]): unknown =>
      db
        .prepare(sql)
        .pluck()
        .get(...params),
    values: (sql: string, ...params: unknown[]): unknown[] =>
      db
        .prepare(sql)
        .pluck()
        .all(...params),
    get: (sql: string, ...params: unknown[]): unknown => db.prepare(sql).get(...params),
  };
}

const isSqlite = (db: unknown): db is SqliteDatabase => typeof (db as SqliteDatabase).pragma === 'function';

/** What the seed-id queries answer, in their order. */
type SeedRows = [
  pet: { id: number; ownerId: number },
  clients: number[],
  practitionerId: number,
  staffId: number,
  appointmentId: number,
];

/** The queries that find a practice's seeded ids (`?` is the practice), each with how its answer is read. */
const SEED_ID_QUERIES = [
  ['get', 'SELECT id, owner_id AS "ownerId" FROM pets WHERE practice_id = ? ORDER BY id LIMIT 1'],
  ['values', "SELECT id FROM users WHERE practice_id = ? AND role = 'CLIENT' ORDER BY id"],
  ['value', "SELECT id FROM users WHERE practice_id = ? AND role = 'PRACTITIONER' ORDER BY id LIMIT 1"],
  ['value', "SELECT id FROM users WHERE practice_id = ? AND role = 'STAFF' ORDER BY id LIMIT 1"],
  ['value', 'SELECT id FROM appointments WHERE practice_id = ? ORDER BY id LIMIT 1'],
] as const;

/**
 * Ids from the seeded practice 1 (Northside): a client with a pet, a practitioner. Given the
 * server, on either engine (a promise); given a better-sqlite3 connection, at once.
 */
export function seedIds(server: { sql: Sql }, practiceId?: number): Promise<SeedIds>;
export function seedIds(db: SqliteDatabase, practiceId?: number): SeedIds;
export function seedIds(source: { sql: Sql } | SqliteDatabase, practiceId = 1): Promise<SeedIds> | SeedIds {
  if (isSqlite(source)) {
    const sql = syncSql(source);
    return idsFrom(SEED_ID_QUERIES.map(([read, query]) => sql[read](query, practiceId)) as SeedRows);
  }
  const sql = source.sql;
  return Promise.all(SEED_ID_QUERIES.map(([read, query]) => sql[read](query, practiceId))).then((rows) =>
    idsFrom(rows as SeedRows),
  );
}

function idsFrom([pet, clients, practitionerId, staffId, appointmentId]: SeedRows): SeedIds {
  return {
    clientId: pet.ownerId,
    otherClientId: clients.find((c) => c !== pet.ownerId)!,
    petId: pet.id,
    petOwnerId: pet.ownerId,
    practitionerId,
    staffId,
    appointmentId,
  };
}

/** First default booking slot: well after the seeded appointments (the two weeks around T0). */
const FIRST_SLOT = Date.UTC(2026, 5, 1, 10, 30);
let slots = 0;

/**
 * A booking of `petId` with `practitionerId`; each call takes a slot of its own (3 hours after
 * the previous one) unless `extra` names a date, so bookings made for other reasons never clash.
 */
export function appointmentData(
  petId: number | string,
  practitionerId: number | string | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    title: 'Checkup',
    type: 'checkup',
    date: new Date(FIRST_SLOT + slots++ * 3 * 3_600_000).toISOString(),
    durationMinutes: 30,
    petId,
    practitionerId,
    ...extra,
  };
}

/**
 * The number a one-value query answers (a COUNT, a counter): a promise given the server, at once
 * given a better-sqlite3 connection.
 */
export function count(server: { sql: Sql }, sql: string, ...params: unknown[]): Promise<number>;
export function count(db: SqliteDatabase, sql: string, ...params: unknown[]): number;
export function count(
  source: { sql: Sql } | SqliteDatabase,
  sql: string,
  ...params: unknown[]
): Promise<number> | number {
  if (isSqlite(source))
    return Number(
      source
        .prepare(sql)
        .pluck()
        .get(...params),
    );
  return source.sql.value(sql, ...params).then(Number);
}
