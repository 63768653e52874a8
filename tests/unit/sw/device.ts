/**
 * A "device" for tests: the worker's real modules over fake-indexeddb, with the clock, sleep,
 * ids and transport passed in. `fetch(method, path, body)` goes through the worker's entity API.
 */
import 'fake-indexeddb/auto';
import { openSyncDb, type SyncDb } from '../../../sw/db/schema.ts';
import { handleEntityRequest } from '../../../sw/api/entity-api.ts';
import { getMeta, setMeta } from '../../../sw/store/meta.ts';
import { SyncEngine, type SyncEngineConfig, type SyncEngineDeps } from '../../../sw/sync/engine.ts';
import { createConsoleLogger } from '../../../sw/sync/console-logger.ts';
import { plainTransport, type SyncTransport } from '../../../sw/sync/transport.ts';
import type { StoredOperation } from '../../../sw/db/schema.ts';
import { createSessionCache } from '../../../sw/store/session.ts';
import { OthersWaiting } from '../../../sw/worker/others-waiting.ts';
import { answerPageMessage, handlePageMessage, type PageMessageContext } from '../../../sw/worker/page-messages.ts';
import type {
  PageMessage,
  PageMessageReplies,
  PageMessageType,
  PullResponse,
  PushRequest,
  PushResponse,
  SessionUser,
  WorkerEvent,
  WorkerReply,
} from '../../../src/protocol/index.ts';

let dbCounter = 0;

/** A transport, or two plain calls standing in for one (read at each call, so tests may swap them). */
export type TestTransport =
  SyncTransport | { push: Parameters<typeof plainTransport>[0]['push']; pull: SyncTransport['pull'] };

function asTransport(transport: TestTransport): SyncTransport {
  return 'preparePush' in transport
    ? transport
    : plainTransport({ push: (r) => transport.push(r), pull: (p) => transport.pull(p) });
}

/** A server that takes every operation of a push (real ids from 500 on, version 1). */
export function acceptAll(request: PushRequest): PushResponse {
  return {
    success: true,
    processed: request.operations.length,
    failed: 0,
    conflicts: 0,
    timestamp: 1,
    results: request.operations.map((op, i) => ({
      opId: op.opId,
      operationId: op.id,
      success: true,
      entityType: op.entityType,
      realId: 500 + i,
      tempId: op.tempId,
      version: 1,
    })),
  };
}

/** A pull with nothing new. */
export const NOTHING_NEW: PullResponse = {
  success: true,
  timestamp: 1,
  changes: [],
  hasMore: false,
  nextTimestamp: 1,
  cursor: 'c',
};

/** The queue rows as stored, in queue order. */
export function queueRows(db: SyncDb): Promise<StoredOperation[]> {
  return db.getAll('sync_operations');
}

/** Books a visit through the worker's entity API: a 20-minute checkup with no practitioner unless `fields` differ. */
export function bookVisit(
  device: Pick<TestDevice, 'fetch'>,
  fields: { title: string; date: string; petId: unknown } & Record<string, unknown>,
): ReturnType<TestDevice['fetch']> {
  return device.fetch('POST', '/api/appointments', {
    type: 'checkup',
    durationMinutes: 20,
    practitionerId: null,
    ...fields,
  });
}

export interface TestDevice {
  db: SyncDb;
  engine: SyncEngine;
  events: WorkerEvent[];
  sleeps: number[];
  clock: { now: number };
  fetch(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  signIn(user: SessionUser): Promise<void>;
  /** A new engine over the same database, as after the worker was killed and restarted. */
  restart(): TestDevice;
  /** A page→worker request, answered by the worker's real message handlers. */
  ask<K extends PageMessageType>(message: Extract<PageMessage, { type: K }>): Promise<PageMessageReplies[K]>;
  /** The same request as the page receives the answer: the reply posted on its port. */
  reply(message: PageMessage): Promise<WorkerReply>;
  /** Revocation tokens of sign-outs kept for the server, oldest first (the worker's Workbox queue). */
  signOuts: string[];
}

export const NORTHSIDE_STAFF: SessionUser = {
  id: 1,
  name: 'Reception',
  role: 'STAFF',
  practiceId: 1,
  tenantId: 'smartvet',
};
export const NORTHSIDE_ADMIN: SessionUser = {
  id: 3,
  name: 'Admin',
  role: 'ADMIN',
  practiceId: 1,
  tenantId: 'smartvet',
};

export async function createTestDevice(
  transport: TestTransport,
  options: {
    config?: Partial<SyncEngineConfig>;
    dbName?: string;
    db?: SyncDb;
    withLock?: SyncEngineDeps['withLock'];
  } = {},
): Promise<TestDevice> {
  const db = options.db ?? (await openSyncDb(options.dbName ?? `test-device-${process.pid}-${++dbCounter}`));
  return build(db, asTransport(transport), options.config, options.withLock);
}

function build(
  db: SyncDb,
  transport: SyncTransport,
  config?: Partial<SyncEngineConfig>,
  withLock?: SyncEngineDeps['withLock'],
): TestDevice {
  const events: WorkerEvent[] = [];
  const sleeps: number[] = [];
  const clock = { now: Date.parse('2026-11-25T09:00:00.000Z') };
  let uuid = 0;
  const signOuts: string[] = [];
  const signOutQueue = { add: async (token: string) => void signOuts.push(token), replay: async () => undefined };
  const othersWaiting = new OthersWaiting(db, () => getMeta(db, 'session'));
  const engine = new SyncEngine({
    db,
    transport,
    now: () => clock.now,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    notify: (e) => void events.push(e),
    logger: createConsoleLogger({ log: () => undefined, error: () => undefined }),
    config: { backoff: { baseMs: 100, maxMs: 1000, maxAttempts: 3 }, ...config },
    waiting: othersWaiting,
    ...(withLock ? { withLock } : {}),
  });
  const context = (): PageMessageContext => ({
    db,
    engine,
    logger: createConsoleLogger({ log: () => undefined, error: () => undefined }),
    now: () => clock.now,
    // Long enough for the server's opId (8 characters at least): a resolution asked here is pushed.
    uuid: () => `ask-${String(++uuid).padStart(8, '0')}`,
    notify: (e) => void events.push(e),
    scheduleSync: () => undefined,
    skipWaiting: () => undefined,
    backgroundSyncSupported: true,
    browserRetryPending: false,
    onSessionStarted: () => undefined,
    session: createSessionCache(db),
    signOutQueue,
    othersWaiting,
  });
  const device: TestDevice = {
    db,
    engine,
    events,
    sleeps,
    clock,
    async fetch(method, path, body) {
      const request = new Request(`http://device.test${path}`, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
      const response = await handleEntityRequest(request, {
        db,
        now: () => clock.now,
        uuid: () => `0000${(++uuid).toString(16).padStart(8, '0')}-test-${Math.random().toString(36).slice(2, 10)}`,
        session: () => getMeta(db, 'session'),
        signedOut: () => getMeta(db, 'signedOut'),
        onWrite: () => undefined,
      });
      if (!response) throw new Error(`not an entity route: ${path}`);
      return { status: response.status, body: await response.json() };
    },
    async signIn(user) {
      await setMeta(db, 'session', user);
    },
    restart: () => build(db, transport, config, withLock),
    ask: (message) => handlePageMessage(message, context()) as Promise<PageMessageReplies[typeof message.type]>,
    reply: (message) => answerPageMessage(message, context()),
    signOuts,
  };
  return device;
}
