/**
 * The sync engine: push the queue in batches, then pull changes with the cursor until there are
 * no more. Clock, sleep, randomness, transport, storage and notifications are passed in, so the
 * same code runs in the worker and in Node tests.
 *
 * One sync runs at a time: a request while one runs joins it, and one more run follows when
 * work arrived in the meantime.
 */
import {
  ENTITY_TYPES,
  type EntityType,
  type ErrorInfo,
  type PushOperation,
  type PushResponse,
  type SessionUser,
  type QueueStats,
  type SyncProgress,
  type SyncResult,
  type WorkerEvent,
} from '../../src/protocol/index.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../core/backoff.ts';
import { BatchPlanner, pushBatchSize, sentBy, type BatchSizePolicy } from '../core/batch-plan.ts';
import type { StoredOperation, SyncDb } from '../db/schema.ts';
import { applyPullPage } from '../store/apply-pull.ts';
import { applyPushResults } from '../store/apply-push.ts';
import { getMeta, setMeta } from '../store/meta.ts';
import { queueStats, releaseBatches, resetInFlight, takeBatch, type TakenBatch } from '../store/queue.ts';
import type { ConsoleLogger } from './console-logger.ts';
import { TransportError, type PreparedPush, type SyncTransport } from './transport.ts';

export interface SyncEngineConfig extends BatchSizePolicy {
  /** Records per entity type per pull page. */
  pullLimit: number;
  backoff: BackoffPolicy;
}

/** Push batches grow from 100 to 1,000 operations with the queue (see pushBatchSize). */
export const DEFAULT_ENGINE_CONFIG: SyncEngineConfig = {
  batchSize: 100,
  maxBatchSize: 1000,
  pullLimit: 1000,
  backoff: DEFAULT_BACKOFF,
};

export interface SyncEngineDeps {
  db: SyncDb;
  transport: SyncTransport;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  notify: (event: WorkerEvent) => void;
  logger: ConsoleLogger;
  /** Cross-context mutual exclusion (Web Locks in the worker); runs `work` directly when absent. */
  withLock?: <T>(work: () => Promise<T>) => Promise<T>;
  deviceId?: string;
  config?: Partial<SyncEngineConfig>;
  /**
   * The rows a sync of this session does not send, counted by the worker (OthersWaiting): other
   * people's rows (`waitingForOthers`, `failedOfOthers`: not sent in this session, nor may it retry
   * them) and the person's rows that wait for another change first (`waitingForChanges`).
   */
  waiting?: WaitingCounts;
}

export interface WaitingCounts {
  /** The queue's figures with those rows counted: the push's progress leaves them out. */
  stats(stats: QueueStats): QueueStats;
  /** Counts again after a run: its answers change which of the person's rows wait for another change. */
  refresh(stats: QueueStats): Promise<void>;
}

/** Stops a sync run early; `info` goes into the result. */
class SyncStop extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

/** A batch taken from the queue with its body ready. */
interface Outgoing {
  batch: TakenBatch;
  prepared: PreparedPush;
  takenMs: number;
}

/** ...and on the wire. */
interface InFlight extends Outgoing {
  /** Resolves once the server's status says it applied the batch (before its answer is read). */
  accepted: Promise<void>;
  reply: Promise<{ response: PushResponse; requestMs: number }>;
}

interface RunCounters {
  pushed: number;
  failed: number;
  conflicts: number;
  pulled: number;
  changedTypes: Set<EntityType>;
}

export class SyncEngine {
  private readonly config: SyncEngineConfig;
  private running: Promise<SyncResult> | null = null;
  private rerunRequested = false;

  constructor(private readonly deps: SyncEngineDeps) {
    this.config = { ...DEFAULT_ENGINE_CONFIG, ...deps.config };
  }

  /**
   * A run was announced (SYNC_STARTED) and its result not yet (SYNC_RESULT). The pages hear of
   * runs through those events, so a state they ask for says the same: the sync's promise settles
   * only later (the Web Lock's release is a round trip to the browser, slow on a busy machine),
   * and a "still syncing, push 0 %" answered in that gap, to a page that just heard the result,
   * would stay on its screen with no event left to correct it.
   */
  get isSyncing(): boolean {
    return this.announcedRun;
  }

  /** Progress of the announced run (null when idle), for a page that opens mid-sync. */
  get progress(): SyncProgress | null {
    return this.announcedRun ? this.currentProgress : null;
  }

  private announcedRun = false;
  private currentProgress: SyncProgress | null = null;

  /** Sends an event, remembering whether a run is announced and its newest progress. */
  private notify(event: WorkerEvent): void {
    if (event.type === 'SYNC_STARTED') {
      this.announcedRun = true;
      this.currentProgress = null;
    } else if (event.type === 'SYNC_PROGRESS') {
      this.currentProgress = event.progress;
    } else if (event.type === 'SYNC_RESULT') {
      this.announcedRun = false;
      this.currentProgress = null;
    }
    this.deps.notify(event);
  }

  /** Starts a sync, or joins the one running (and asks for one more run after it). */
  sync(trigger: string): Promise<SyncResult> {
    if (this.running) {
      this.rerunRequested = true;
      return this.running;
    }
    const locked = this.deps.withLock;
    const withLock = locked ?? ((work) => work());
    const running: Promise<SyncResult> = withLock(async () => {
      try {
        // Holding the lock, no other run is alive: a batch still marked in flight was left by one
        // that is gone (the previous worker, replaced by an update or killed mid-push, after this
        // worker had started and reset what it found then). Send it again (opIds make it harmless).
        if (locked) {
          const left = await resetInFlight(this.deps.db);
          if (left > 0)
            this.deps.logger.debug('[SyncQueue]', `${left} operations left in flight by a run that is gone`);
        }
        let result = await this.run(trigger);
        // Work queued while we were pushing: one more pass, unless the last one failed.
        while (this.rerunRequested && !result.error) {
          this.rerunRequested = false;
          const stats = await queueStats(this.deps.db);
          if (stats.pending === 0) break;
          result = await this.run(trigger);
        }
        return result;
      } finally {
        // Done once the work is (not once the lock is released, a round trip to the browser):
        // a request from here on gets a run of its own, which waits for the lock, instead of
        // this one's result (a Background Sync told a finished failure would wait 5 minutes).
        if (this.running === running) this.end();
      }
    });
    this.running = running;
    // The work itself may throw before it starts (a lock that cannot be taken).
    running
      .catch(() => undefined)
      .finally(() => {
        if (this.running === running) this.end();
      });
    return running;
  }

  private end(): void {
    this.running = null;
    this.announcedRun = false;
    this.currentProgress = null;
    this.rerunRequested = false;
  }

  private async run(trigger: string): Promise<SyncResult> {
    const { db, now, logger } = this.deps;
    const notify = (e: WorkerEvent) => this.notify(e);
    const started = now();
    const counters: RunCounters = { pushed: 0, failed: 0, conflicts: 0, pulled: 0, changedTypes: new Set() };
    let error: ErrorInfo | null = null;
    let userId: number | null = null;
    notify({ type: 'SYNC_STARTED', trigger });
    logger.debug('[SyncEngine]', `sync started (${trigger})`);

    try {
      const session = await getMeta(db, 'session');
      userId = session?.id ?? null;
      if (!session) throw new SyncStop({ code: 'UNAUTHENTICATED', message: 'Sign in to sync' });
      await this.push(session, counters);
      await this.pull(session, counters);
      if (await getMeta(db, 'authRequired')) await setMeta(db, 'authRequired', false);
    } catch (err) {
      error = await this.failure(err);
    }

    const result: SyncResult = {
      pushed: counters.pushed,
      failed: counters.failed,
      conflicts: counters.conflicts,
      pulled: counters.pulled,
      durationMs: Math.max(0, now() - started),
      finishedAt: now(),
      error,
      trigger,
      userId,
    };
    await setMeta(db, 'lastResult', result);
    if (didSomething(result)) await setMeta(db, 'lastActivity', result);
    notify({ type: 'SYNC_RESULT', result });
    const stats = await queueStats(db);
    await this.deps.waiting?.refresh(stats);
    notify({ type: 'QUEUE_STATS', stats });
    if (counters.changedTypes.size > 0) notify({ type: 'DATA_CHANGED', entityTypes: [...counters.changedTypes] });
    logger.debug(
      '[SyncEngine]',
      `sync done in ${result.durationMs} ms: pushed ${result.pushed}, failed ${result.failed}, conflicts ${result.conflicts}, pulled ${result.pulled}${error ? `, stopped: ${error.code} ${error.message}` : ''}`,
    );
    return result;
  }

  /** Turns what stopped a run into the result's error; a 401 pauses sync until the next sign-in. */
  private async failure(err: unknown): Promise<ErrorInfo> {
    if (err instanceof SyncStop) return err.info;
    if (err instanceof TransportError) {
      if (err.kind === 'auth') {
        await setMeta(this.deps.db, 'authRequired', true);
        this.notify({ type: 'AUTH_REQUIRED' });
        return { code: 'UNAUTHENTICATED', message: 'Your session expired: sign in to sync. Your changes are kept.' };
      }
      return err.info;
    }
    this.deps.logger.error('[SyncEngine]', 'sync failed', err);
    return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
  }

  // ------------------------------------------------------------------ push

  /**
   * Sends the queue in batches, pipelined: while the answer to batch k is read and stored, batch
   * k+1 is already on the wire (and batch k+2 is being chosen and serialised). Batch k+1 leaves
   * only once the server's status said it applied batch k (a 200 comes after its commit), so the
   * server applies them in queue order (it resolves temp ids across pushes); a batch that fails
   * stops the run before the next one leaves. Rows queued while the push runs are sent in the same run.
   */
  private async push(session: SessionUser, counters: RunCounters): Promise<void> {
    const { db, now, logger } = this.deps;
    const notify = (e: WorkerEvent) => this.notify(e);
    const queued = await queueStats(db);
    const stats = this.deps.waiting?.stats(queued) ?? queued;
    // What this session may send: other people's rows wait for them (counted when the person
    // signed in changes; writes and pushes never change them).
    const sendable = stats.pending - (stats.waitingForOthers ?? 0) + stats.failed - (stats.failedOfOthers ?? 0);
    if (sendable <= 0) return;
    // The progress leaves out the rows that wait for another change too (either kind would keep it
    // short of 100 % in every run). That count follows writes a moment late, so it never decides
    // whether to push: the planner does.
    const total = Math.max(1, sendable - (stats.waitingForChanges ?? 0));
    const size = pushBatchSize(total, this.config);
    // Work is sent only as the person who did it: another user's rows (or another practice's)
    // wait on this tablet until that user signs in here again.
    const planner = new BatchPlanner(sentBy(session));
    const unapplied: TakenBatch[] = [];
    const progress = { processed: 0, total, statsSentAt: 0 };

    const take = async (): Promise<Outgoing | null> => {
      const t0 = now();
      const batch = await takeBatch(db, planner, size, t0);
      if (!batch) return null;
      unapplied.push(batch);
      const prepared = await this.deps.transport.preparePush({
        operations: batch.rows.map(toPushOperation),
        clientTimestamp: now(),
        ...(this.deps.deviceId ? { deviceId: this.deps.deviceId } : {}),
      });
      return { batch, prepared, takenMs: now() - t0 };
    };
    const send = (outgoing: Outgoing): InFlight => {
      const sentAt = now();
      let accept!: () => void;
      const accepted = new Promise<void>((resolve) => (accept = resolve));
      const reply = this.withRetry('[SyncPush]', () => outgoing.prepared.send(accept)).then((response) => ({
        response,
        requestMs: now() - sentAt,
      }));
      reply.catch(() => undefined); // awaited in its turn; never an unhandled rejection meanwhile
      return { ...outgoing, accepted, reply };
    };

    let waiting: InFlight | null = null;
    try {
      const first = await take();
      if (!first) return;
      notify({ type: 'SYNC_PROGRESS', progress: { phase: 'push', processed: 0, total, percentage: 0 } });
      let current: InFlight | null = send(first);
      let next = await take();
      while (current) {
        waiting = current;
        // Batch k+1 goes on the wire once the server applied batch k, while k's answer is read and
        // stored. A failed batch k rejects here (its reply) before batch k+1 leaves.
        await Promise.race([current.accepted, current.reply]);
        let sending = next ? send(next) : null;
        const { response, requestMs } = await current.reply;
        waiting = null;
        const t0 = now();
        await this.applyBatch(current.batch, response, planner, counters, progress, unapplied);
        logger.debug(
          '[SyncPush]',
          `${current.batch.rows.length} operations: take ${current.takenMs} ms, request ${requestMs} ms, apply ${now() - t0} ms`,
        );
        // Rows that waited behind a row of batch k (same record) may go now.
        next = await take();
        if (!sending && next) {
          sending = send(next);
          next = await take();
        }
        current = sending;
      }
    } catch (err) {
      const info =
        err instanceof TransportError || err instanceof SyncStop
          ? err.info
          : { code: 'INTERNAL' as const, message: String(err) };
      // A request the server refused as a whole will not pass by retrying: show its rows as failed.
      const refused = err instanceof TransportError && err.kind === 'fatal' && waiting ? waiting.batch : null;
      await releaseBatches(
        db,
        unapplied.filter((b) => b !== refused),
        info,
      );
      if (refused) await releaseBatches(db, [refused], info, 'failed');
      throw err;
    }
  }

  private async applyBatch(
    batch: TakenBatch,
    response: PushResponse,
    planner: BatchPlanner,
    counters: RunCounters,
    progress: { processed: number; total: number; statsSentAt: number },
    unapplied: TakenBatch[],
  ): Promise<void> {
    const { db, now } = this.deps;
    const notify = (e: WorkerEvent) => this.notify(e);
    const notCreatedYet = planner.refusedForUnsentCreates(batch.rows, response.results);
    const summary = await applyPushResults(db, batch, response.results, now(), notCreatedYet);
    unapplied.splice(unapplied.indexOf(batch), 1);
    planner.settle(batch.rows, summary.outcomes);
    counters.pushed += summary.pushed;
    counters.failed += summary.failed;
    counters.conflicts += summary.conflicts;
    summary.changedTypes.forEach((t) => counters.changedTypes.add(t));
    for (const conflict of summary.newConflicts) notify({ type: 'CONFLICT_ADDED', conflict });
    progress.processed += batch.rows.length - summary.unanswered;
    const shownTotal = Math.max(progress.total, progress.processed);
    notify({
      type: 'SYNC_PROGRESS',
      progress: {
        phase: 'push',
        processed: progress.processed,
        total: shownTotal,
        percentage: Math.min(100, Math.round((progress.processed / shownTotal) * 100)),
      },
    });
    // Counting the queue costs a scan of its indexes, longer the longer the queue: a few times a
    // second for a queue of up to 10,000 rows, less often beyond (every 2.5 s at 100,000), so the
    // counting keeps the same small share of the drain (the run's end always sends the final figures).
    if (now() - progress.statsSentAt >= 250 * Math.max(1, progress.total / 10_000)) {
      notify({ type: 'QUEUE_STATS', stats: await queueStats(db) });
      progress.statsSentAt = now();
    }
    if (summary.unanswered === batch.rows.length) {
      throw new SyncStop({ code: 'SERVER_ERROR', message: 'The server answered the push without results' });
    }
  }

  // ------------------------------------------------------------------ pull

  /** Follows the cursor until `hasMore` is false; page k+1 is fetched while page k is stored. */
  private async pull(session: SessionUser, counters: RunCounters): Promise<void> {
    const { db, logger, now } = this.deps;
    const notify = (e: WorkerEvent) => this.notify(e);
    const lastPulledAt = (await getMeta(db, 'lastPulledAt')) ?? 0;
    const fetchPage = (cursor: string | null) => {
      const started = now();
      const page = this.withRetry('[SyncPull]', () =>
        this.deps.transport.pull({
          cursor,
          lastSyncTimestamp: cursor ? 0 : lastPulledAt,
          practiceId: session.practiceId,
          entityTypes: ENTITY_TYPES,
          limit: this.config.pullLimit,
        }),
      ).then((response) => ({ response, requestMs: now() - started }));
      page.catch(() => undefined); // awaited in its turn
      return page;
    };
    let processed = 0;
    let pending = fetchPage(await getMeta(db, 'pullCursor'));
    for (;;) {
      const { response: page, requestMs } = await pending;
      const next = page.hasMore ? fetchPage(page.cursor) : null;
      const t0 = now();
      const summary = await applyPullPage(db, page.changes, page.cursor, page.timestamp);
      for (const bad of summary.quarantined) {
        logger.error(
          '[SyncPull]',
          `set aside unreadable ${bad.entityType} ${bad.id} (version ${bad.version}): ${bad.reason}`,
        );
      }
      processed += page.changes.length;
      counters.pulled += summary.applied;
      summary.changedTypes.forEach((t) => counters.changedTypes.add(t));
      logger.debug(
        '[SyncPull]',
        `${page.changes.length} changes: ${summary.applied} stored (${summary.rebased} rebased on local work), ${summary.skipped} already held; request ${requestMs} ms, apply ${now() - t0} ms, hasMore=${page.hasMore}`,
      );
      const total = processed + (page.hasMore ? this.config.pullLimit : 0);
      notify({
        type: 'SYNC_PROGRESS',
        progress: {
          phase: 'pull',
          processed,
          total,
          percentage: total === 0 ? 100 : Math.round((processed / total) * 100),
        },
      });
      if (!next) break;
      pending = next;
    }
  }

  /**
   * Retries network errors and 5xx with exponential backoff and jitter (never sooner than `Retry-After`); other
   * failures go up at once.
   */
  private async withRetry<T>(prefix: string, call: () => Promise<T>): Promise<T> {
    const { backoff } = this.config;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof TransportError) || err.kind !== 'retry' || attempt >= backoff.maxAttempts) throw err;
        const delay = backoffDelay(attempt, backoff, this.deps.random, err.retryAfterMs);
        this.deps.logger.debug(prefix, `${err.info.code}: ${err.message}; retry ${attempt} in ${delay} ms`);
        await this.deps.sleep(delay);
      }
    }
  }
}

export function toPushOperation(op: StoredOperation): PushOperation {
  return {
    id: op.id,
    opId: op.opId,
    operation: op.operation,
    entityType: op.entityType,
    entityId: op.entityId,
    ...(op.tempId && op.operation === 'create' ? { tempId: op.tempId } : {}),
    ...(op.data ? { data: op.data } : {}),
    timestamp: op.timestamp,
    ...(op.baseVersion !== null ? { version: op.baseVersion } : {}),
    ...(op.userId !== null ? { userId: op.userId } : {}),
    practiceId: op.practiceId,
    tenantId: op.tenantId,
  };
}

/** A run worth showing as "Last sync": it sent or received something, or stopped on an error. */
function didSomething(result: SyncResult): boolean {
  return result.error !== null || result.pushed + result.failed + result.conflicts + result.pulled > 0;
}
