/// <reference lib="webworker" />
/**
 * Builds the worker's sync machinery from the browser's pieces (IndexedDB, fetch, clock, timers,
 * Background Sync, Web Locks) and wires it to the worker's events.
 */
import { registerRoute } from 'workbox-routing';
import { NetworkOnly } from 'workbox-strategies';
import {
  isTransientSyncError,
  PageMessageSchema,
  PERIODIC_SYNC_TAG,
  type ErrorResponse,
  SYNC_TAG,
  type SyncResult,
  type WorkerEvent,
  type WorkerReply,
  uuidV7,
} from '../../src/protocol/index.ts';
import { handleEntityRequest, isEntityPath } from '../api/entity-api.ts';
import { openSyncDb, type SyncDb } from '../db/schema.ts';
import { getMeta, setMeta } from '../store/meta.ts';
import { markRetryableFailed, queueStats, resetInFlight } from '../store/queue.ts';
import { SyncEngine } from '../sync/engine.ts';
import { createConsoleLogger } from '../sync/console-logger.ts';
import { httpTransport } from '../sync/transport.ts';
import { createBroadcaster } from './broadcast.ts';
import { answerPageMessage } from './page-messages.ts';
import { workboxSignOutQueue } from './sign-out-queue.ts';
import { OthersWaiting } from './others-waiting.ts';
import { createSessionCache, type SessionCache } from '../store/session.ts';

/** The Web Lock a sync run holds, shared by every worker of this origin (an old and a new one too). */
const SYNC_LOCK = 'smartdmv-sync';

export function startWorkerRuntime(self: ServiceWorkerGlobalScope): void {
  const logger = createConsoleLogger(console, false);
  const now = () => Date.now();
  // Time-ordered ids (UUID v7): cheaper for the server to index than random ones (src/protocol/uuid-v7.ts).
  const uuid = () => uuidV7(Date.now(), (bytes) => self.crypto.getRandomValues(bytes));
  const backgroundSyncSupported = 'sync' in self.registration;

  const broadcast = createBroadcaster(self.clients);
  // Queue figures sent to the pages say how much of the queue waits for other people.
  let othersWaiting: OthersWaiting | null = null;
  const notify = (event: WorkerEvent) => broadcast(othersWaiting ? othersWaiting.event(event) : event);
  // Workbox's queue adds its `sync` listener now, while the worker script runs.
  const signOutQueue = workboxSignOutQueue(self, logger, (count) => notify({ type: 'SIGN_OUTS_DELIVERED', count }));

  const ready: Promise<{ db: SyncDb; engine: SyncEngine; session: SessionCache; others: OthersWaiting }> =
    (async () => {
      const db = await openSyncDb();
      const session = createSessionCache(db);
      const others = new OthersWaiting(db, () => session.get());
      await others.recount();
      othersWaiting = others;
      logger.enabled = await getMeta(db, 'debug');
      // A killed worker may have left a batch in flight: back to pending, so the queue shows it
      // waiting (the next run sends it again; the server dedups by opId). Only if no run holds the
      // sync lock: this script also starts at install, while the previous worker may be pushing
      // that batch; every run resets what is left under the lock anyway (sync/engine.ts).
      const reset = self.navigator.locks
        ? await self.navigator.locks.request(SYNC_LOCK, { ifAvailable: true }, (lock) => (lock ? resetInFlight(db) : 0))
        : await resetInFlight(db);
      if (reset > 0) logger.debug('[SyncQueue]', `${reset} in-flight operations back to pending after a restart`);
      let deviceId = await getMeta(db, 'deviceId');
      if (!deviceId) {
        deviceId = uuid();
        await setMeta(db, 'deviceId', deviceId);
      }
      const engine = new SyncEngine({
        db,
        transport: httpTransport((input, init) => fetch(input, init)),
        now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        notify,
        logger,
        deviceId,
        withLock: (work) => (self.navigator.locks ? self.navigator.locks.request(SYNC_LOCK, work) : work()),
        waiting: others,
      });
      return { db, engine, session, others };
    })();

  /**
   * The last Background Sync run failed and the browser will fire it again: Chromium then waits 5
   * minutes whatever happens meanwhile (a new write, the network coming back), while the people
   * who just saved something expect it on the server. Until a run gets through, the worker syncs
   * by itself for those triggers (`scheduleSync`); the browser's retry stays the fallback for a
   * closed tab.
   */
  let browserRetryPending = false;

  /** Runs a sync now and decides whether the browser should retry it. */
  async function runSync(trigger: string, lastChance = false): Promise<SyncResult> {
    const { db, engine, session } = await ready;
    const result = await engine.sync(trigger);
    const transient = result.error ? isTransientSyncError(result.error.code) : false;
    if (!transient) browserRetryPending = false;
    if (result.error && transient) {
      const stats = await queueStats(db);
      if (stats.pending + stats.inFlight > 0) {
        if (lastChance) {
          const kept = await markRetryableFailed(db, result.error, (await session.get()) ?? undefined);
          notify({ type: 'SYNC_GAVE_UP', pending: kept });
          notify({ type: 'QUEUE_STATS', stats: await queueStats(db) });
        } else if (trigger === 'background-sync') {
          // Rejecting tells the browser to try this sync again later, with its own backoff.
          browserRetryPending = true;
          throw new Error(`Sync failed (${result.error.code}); the browser will retry`);
        }
      }
    }
    return result;
  }

  /**
   * Triggers with a person waiting for the result (a change saved, the network back, Retry, a
   * conflict resolved, a sign-in): these sync at once while the browser holds its retry back. Not
   * a page load forwarding the settings, nor a start-up: those wait for the browser.
   */
  const PERSON_WAITING = new Set(['write', 'online', 'retry', 'conflict-resolved', 'login']);

  /** A burst of writes makes one run: the first asks for it, the others find it asked for. */
  const SYNC_SOON_MS = 300;
  let soon: Promise<void> | null = null;
  function syncSoon(trigger: string): Promise<void> {
    soon ??= new Promise<void>((resolve) => setTimeout(resolve, SYNC_SOON_MS)).then(async () => {
      soon = null;
      await runSync(trigger).catch(() => undefined);
    });
    return soon;
  }

  // One registration is enough until its sync event starts: a burst of offline writes must not
  // pay for a registration each. The event handler clears the flag first thing.
  let syncTagRegistered = false;

  /** Triggers that still sync when the user turned "Sync automatically" off. */
  const ALWAYS_ALLOWED = new Set(['login', 'auto-sync-on']);

  /**
   * Whether a sync may start by itself: the setting is on and someone is signed in (signed out,
   * a Background Sync event or a start-up has nothing it may send or pull, and its "sign in"
   * stop would only show up as the next user's last sync).
   */
  async function autoSyncOn(): Promise<boolean> {
    const { db, session } = await ready;
    return (await session.get()) !== null && getMeta(db, 'autoSync');
  }

  /**
   * Asks for a sync: through Background Sync when there is one (it waits for the network), else at
   * once; at once too while the browser holds back a retry (`browserRetryPending`).
   */
  async function scheduleSync(trigger: string): Promise<void> {
    // A burst of writes: the tag registered for the first one covers the rest (checked before
    // reading the setting, so the write path pays nothing more).
    if (syncTagRegistered && trigger === 'write' && !browserRetryPending) return;
    if (!ALWAYS_ALLOWED.has(trigger) && !(await autoSyncOn())) {
      logger.debug('[SyncEngine]', `automatic sync is off, or nobody is signed in: ${trigger} does not start one`);
      return;
    }
    if (browserRetryPending && PERSON_WAITING.has(trigger)) {
      // The browser keeps its registration (and fires it later, tab closed or not); offline, that is all.
      if (self.navigator.onLine) await syncSoon(trigger);
      return;
    }
    if (backgroundSyncSupported && self.registration.sync) {
      try {
        await self.registration.sync.register(SYNC_TAG);
        syncTagRegistered = true;
        return;
      } catch (err) {
        logger.debug('[SyncEngine]', `Background Sync registration failed (${String(err)}); syncing now`);
      }
    }
    await runSync(trigger).catch(() => undefined);
  }

  // Every open tab shows the pending count: during a burst of writes, one QUEUE_STATS every
  // quarter second is enough (counting scans the queue's status index, and a write waits for a
  // count that runs before it; the tab that wrote counts its own writes at once).
  let statsTimer: ReturnType<typeof setTimeout> | null = null;
  function announceQueueStats(): void {
    if (statsTimer) return;
    statsTimer = setTimeout(() => {
      statsTimer = null;
      void ready.then(async ({ db, others }) => {
        const stats = await queueStats(db);
        // A write may wait for another change (a booking of a pet not sent yet): counted again.
        await others.refresh(stats);
        notify({ type: 'QUEUE_STATS', stats });
      });
    }, 250);
  }

  // ---------------------------------------------------------------- fetch routes
  const entityHandler = async ({ request, event }: { request: Request; event: ExtendableEvent }): Promise<Response> => {
    const { db, session, others } = await ready;
    const response = await handleEntityRequest(request, {
      db,
      now,
      uuid,
      session: () => session.get(),
      signedOut: () => getMeta(db, 'signedOut'),
      onWrite: (_entityType, closedConflicts = []) => {
        for (const conflictId of closedConflicts) notify({ type: 'CONFLICT_RESOLVED', conflictId });
        event.waitUntil(scheduleSync('write'));
        // Rows of another person may have gone with the held booking: count theirs again first.
        if (closedConflicts.length > 0) event.waitUntil(others.recount().then(announceQueueStats));
        else announceQueueStats();
      },
    });
    return response ?? fetch(request);
  };
  for (const method of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const) {
    registerRoute(({ url, sameOrigin }) => sameOrigin && isEntityPath(url.pathname), entityHandler, method);
  }
  // After a sign-out, "who am I" is answered here (401), without the network, until the next
  // sign-in: a sign-out made offline leaves a live cookie until the server is told
  // (sign-out-queue.ts), and that cookie must not bring the user back. Otherwise the server decides.
  registerRoute(
    ({ url, sameOrigin }) => sameOrigin && url.pathname === '/api/auth/me',
    async ({ request }) => {
      const { db, session } = await ready;
      if ((await session.get()) || !(await getMeta(db, 'signedOut'))) return fetch(request);
      const body: ErrorResponse = {
        success: false,
        error: { code: 'UNAUTHENTICATED', message: 'Nobody is signed in on this tablet' },
      };
      return new Response(JSON.stringify(body), {
        status: 401,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          'x-served-by': 'service-worker',
        },
      });
    },
    'GET',
  );
  // Sign-in and the sync endpoints always go to the network: nothing of them is queued or stored.
  const networkOnly = new NetworkOnly();
  const isDirectApi = (path: string) =>
    path.startsWith('/api/auth/') || path.startsWith('/api/sync/') || path === '/api/health';
  for (const method of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const) {
    registerRoute(({ url, sameOrigin }) => sameOrigin && isDirectApi(url.pathname), networkOnly, method);
  }

  // ---------------------------------------------------------------- events
  self.addEventListener('sync', (event) => {
    if (event.tag !== SYNC_TAG) return;
    syncTagRegistered = false;
    event.waitUntil(
      autoSyncOn().then((on) => (on ? runSync('background-sync', event.lastChance).then(() => undefined) : undefined)),
    );
  });

  self.addEventListener('periodicsync', (event) => {
    if (event.tag !== PERIODIC_SYNC_TAG) return;
    event.waitUntil(autoSyncOn().then((on) => (on ? runSync('periodic').then(() => undefined) : undefined)));
  });

  self.addEventListener('message', (event: ExtendableMessageEvent) => {
    const port = event.ports[0];
    const parsed = PageMessageSchema.safeParse(event.data);
    if (!parsed.success) {
      if (port)
        port.postMessage({
          ok: false,
          error: { code: 'BAD_REQUEST', message: `Unknown message: ${parsed.error.issues[0]?.message ?? ''}` },
        } satisfies WorkerReply);
      return;
    }
    const message = parsed.data;
    event.waitUntil(
      (async () => {
        let reply: WorkerReply;
        try {
          const { db, engine, session, others } = await ready;
          reply = await answerPageMessage(message, {
            db,
            engine,
            session,
            logger,
            now,
            uuid,
            notify,
            backgroundSyncSupported,
            browserRetryPending,
            scheduleSync: (trigger) => event.waitUntil(scheduleSync(trigger)),
            skipWaiting: () => void self.skipWaiting(),
            onSessionStarted: () => void registerPeriodicPull(),
            signOutQueue,
            othersWaiting: others,
          });
        } catch (err) {
          reply = {
            ok: false,
            error: {
              code: 'INTERNAL',
              message: `The offline store could not open: ${err instanceof Error ? err.message : String(err)}`,
            },
          };
        }
        port?.postMessage(reply);
      })(),
    );
  });

  async function registerPeriodicPull(): Promise<void> {
    try {
      await self.registration.periodicSync?.register(PERIODIC_SYNC_TAG, { minInterval: 15 * 60 * 1000 });
    } catch {
      // Needs the app installed and the permission granted; pulls still happen on every sync.
    }
  }

  // On start: queued work from an earlier life of the worker is sent again (sign-outs too).
  void signOutQueue.replay('worker start');
  void ready.then(async ({ db }) => {
    const stats = await queueStats(db);
    if (stats.pending > 0) await scheduleSync('startup');
  });
}
