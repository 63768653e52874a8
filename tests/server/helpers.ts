/**
 * A real server for tests: a SQLite file in a temp folder, migrated and seeded, the HTTP app on
 * an ephemeral port, an injected clock, and a small fetch client that keeps the session cookie.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createApp, type AppDeps } from '../../server/app.ts';
import { migrate } from '../../server/db/migrate.ts';
import { openDatabase, type SqliteDatabase } from '../../server/db/open.ts';
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
  db: SqliteDatabase;
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
  request<T = any>(method: string, pathname: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  push(operations: unknown[], extra?: Record<string, unknown>): Promise<TestResponse<PushResponse>>;
  pull(query?: Record<string, string | number>): Promise<TestResponse<PullResponse>>;
}

export const NORTHSIDE = { practiceId: 1, tenantId: 'smartvet', email: 'reception@northside.example' };
export const HARBOR = { practiceId: 2, tenantId: 'harborvet', email: 'reception@harbor.example' };

export interface TestServerOptions extends Partial<Pick<AppDeps, 'http' | 'throttle' | 'sessionPurgeIntervalMs' | 'distDir' | 'faultInjection'>> {
  seed?: Partial<SeedOptions> | false;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smartdmv-test-'));
  const db = openDatabase(path.join(dir, 'test.db'));
  migrate(db);
  const clock = createClock();
  if (options.seed !== false) await seedDemo(db, { now: clock.now(), ...(options.seed ?? {}) });
  const logger = createMemoryLogger();
  const { seed: _seed, ...appOptions } = options;
  const app = await createApp({ db, distDir: path.join(dir, 'dist'), logger, now: clock.now, ...appOptions });
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
          c.cookie = /Max-Age=0/.test(setCookie) ? null : pair;
        }
        const text = await res.text();
        let parsed: unknown = undefined;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        return { status: res.status, body: parsed as any, headers: res.headers, text };
      },
      push: (operations, extra = {}) => c.request('POST', '/api/sync/push', { operations, clientTimestamp: clock.now(), ...extra }),
      pull: (query = {}) => {
        const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
        return c.request('GET', `/api/sync/pull?${params}`);
      },
    };
    return c;
  };

  return {
    url,
    db,
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
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A push operation with a fresh opId and the client timestamp filled in. */
export function op(fields: Omit<PushOperation, 'opId' | 'timestamp'> & Partial<Pick<PushOperation, 'opId' | 'timestamp'>>): PushOperation {
  return { opId: `op-${randomUUID()}`, timestamp: T0 + ++counter, ...fields };
}

export function tempId(kind: string): string {
  return `temp_${kind}_${randomUUID()}`;
}

/** Ids from the seeded practice 1 (Northside): a client with a pet, a practitioner. */
export function seedIds(db: SqliteDatabase, practiceId = 1): { clientId: number; otherClientId: number; petId: number; petOwnerId: number; practitionerId: number; staffId: number; appointmentId: number } {
  const pet = db.prepare('SELECT id, owner_id AS ownerId FROM pets WHERE practice_id = ? ORDER BY id LIMIT 1').get(practiceId) as { id: number; ownerId: number };
  const clients = db.prepare("SELECT id FROM users WHERE practice_id = ? AND role = 'CLIENT' ORDER BY id").pluck().all(practiceId) as number[];
  const practitionerId = db.prepare("SELECT id FROM users WHERE practice_id = ? AND role = 'PRACTITIONER' ORDER BY id LIMIT 1").pluck().get(practiceId) as number;
  const staffId = db.prepare("SELECT id FROM users WHERE practice_id = ? AND role = 'STAFF' ORDER BY id LIMIT 1").pluck().get(practiceId) as number;
  const appointmentId = db.prepare('SELECT id FROM appointments WHERE practice_id = ? ORDER BY id LIMIT 1').pluck().get(practiceId) as number;
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
export function appointmentData(petId: number | string, practitionerId: number | string | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
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

export function count(db: SqliteDatabase, sql: string, ...params: unknown[]): number {
  return db.prepare(sql).pluck().get(...params) as number;
}
