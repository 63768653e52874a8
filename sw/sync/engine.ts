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
  type SessionUser,
  type SyncProgress,
  type SyncResult,
  type WorkerEvent,
} from '../../src/protocol/index.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../core/backoff.ts';
import { recordKey, selectBatch } from '../core/coalesce.ts';
import { remapOperations, type IdMapping } from '../core/remap.ts';
import type { StoredOperation, SyncDb } from '../db/schema.ts';
import { applyPullPage } from '../store/apply-pull.ts';
import { applyPushResults } from '../store/apply-push.ts';
import { getMeta, setMeta } from '../store/meta.ts';
import { compactStoredQueue, markInFlight, queueStats, releaseInFlight } from '../store/queue.ts';
import type { SyncLogger } from './logger.ts';
import { TransportError, type SyncTransport } from './transport.ts';

export interface SyncEngineConfig {
  /** Operations per push request. */
  batchSize: number;
  /** Records per entity type per pull page. */
  pullLimit: number;
  backoff: BackoffPolicy;
}

export const DEFAULT_ENGINE_CONFIG: SyncEngineConfig = { batchSize: 100, pullLimit: 1000, backoff: DEFAULT_BACKOFF };

export interface SyncEngineDeps {
  db: SyncDb;
  transport: SyncTransport;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  notify: (event: WorkerEvent) => void;
  log: SyncLogger;
  /** Cross-context mutual exclusion (Web Locks in the worker); runs `work` directly when absent. */
  withLock?: <T>(work: () => Promise<T>) => Promise<T>;
  deviceId?: string;
  config?: Partial<SyncEngineConfig>;
}

/** Stops a sync run early; `info` goes into the result. */
class SyncStop extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
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

  get isSyncing(): boolean {
    return this.running !== null;
  }

  /** Progress of the running sync (null when idle), for a page that opens mid-sync. */
  get progress(): SyncProgress | null {
    return this.running ? this.currentProgress : null;
  }

  private currentProgress: SyncProgress | null = null;

  /** Sends an event, remembering the newest progress. */
  private notify(event: WorkerEvent): void {
    if (event.type === 'SYNC_PROGRESS') this.currentProgress = event.progress;
    this.deps.notify(event);
  }

  /** Starts a sync, or joins the one running (and asks for one more run after it). */
  sync(trigger: string): Promise<SyncResult> {
    if (this.running) {
      this.rerunRequested = true;
      return this.running;
    }
    const withLock = this.deps.withLock ?? ((work) => work());
    this.running = withLock(async () => {
      let result = await this.run(trigger);
      // Work queued while we were pushing: one more pass, unless the last one failed.
      while (this.rerunRequested && !result.error) {
        this.rerunRequested = false;
        const stats = await queueStats(this.deps.db);
        if (stats.pending === 0) break;
        result = await this.run(trigger);
      }
      return result;
    }).finally(() => {
      this.running = null;
      this.currentProgress = null;
      this.rerunRequested = false;
    });
    return this.running;
  }

  private async run(trigger: string): Promise<SyncResult> {
    const { db, now, log } = this.deps;
    const notify = (e: WorkerEvent) => this.notify(e);
    const started = now();
    const counters: RunCounters = { pushed: 0, failed: 0, conflicts: 0, pulled: 0, changedTypes: new Set() };
    let error: ErrorInfo | null = null;
    notify({ type: 'SYNC_STARTED', trigger });
    log.debug('[SyncEngine]', `sync started (${trigger})`);

    try {
      const session = await getMeta(db, 'session');
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
    };
    await setMeta(db, 'lastResult', result);
    if (didSomething(result)) await setMeta(db, 'lastActivity', result);
    notify({ type: 'SYNC_RESULT', result });
    notify({ type: 'QUEUE_STATS', stats: await queueStats(db) });
    if (counters.changedTypes.size > 0) notify({ type: 'DATA_CHANGED', entityTypes: [...counters.changedTypes] });
    log.debug(
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
    this.deps.log.error('[SyncEngine]', 'sync failed', err);
    return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
  }

  // ------------------------------------------------------------------ push

  private ownOperations(ops: readonly StoredOperation[], session: SessionUser): StoredOperation[] {
    // Work queued under another practice waits for a session of that practice.
    return ops.filter((op) => op.practiceId === session.practiceId && op.tenantId === session.tenantId);
  }

  private async push(session: SessionUser, counters: RunCounters): Promise<void> {
    const { db, log } = this.deps;
    const notify = (e: WorkerEvent) => this.notify(e);
    // One read of the queue per push phase: batches are chosen from this snapshot, kept up to
    // date with each batch's outcome. Rows queued meanwhile go in the next run (see sync()).
    const { queue, removed } = await compactStoredQueue(db);
    if (removed > 0) log.debug('[SyncQueue]', `coalesced ${removed} operations`);
    let snapshot = this.ownOperations(queue, session);
    const snapshotMaxId = queue.reduce((max, op) => Math.max(max, op.id!), 0);

    // Records with more than one row: their acknowledgements take the careful path. Computed once:
    // rows only leave during a run, and a stale "more than one" is merely slower, never wrong.
    const recordsWithOtherRows = recordsWithSeveralRows(snapshot);
    const total = selectBatch(snapshot, Number.MAX_SAFE_INTEGER).length;
    let statsSentAt = 0;
    if (total === 0) return;
    let processed = 0;
    notify({ type: 'SYNC_PROGRESS', progress: { phase: 'push', processed, total, percentage: 0 } });

    // Each row is sent at most once per run: one that failed again waits for the next run.
    const tried = new Set<number>();
    for (;;) {
      const batch = selectBatch(snapshot, this.config.batchSize, tried);
      if (batch.length === 0) break;
      batch.forEach((op) => tried.add(op.id!));
      const t0 = this.deps.now();
      const sent = await markInFlight(db, batch.map((op) => op.id!));
      const t1 = this.deps.now();
      let response;
      try {
        response = await this.withRetry('[SyncPush]', () =>
          this.deps.transport.push({
            operations: sent.map(toPushOperation),
            clientTimestamp: this.deps.now(),
            ...(this.deps.deviceId ? { deviceId: this.deps.deviceId } : {}),
          }),
        );
      } catch (err) {
        const info = err instanceof TransportError ? err.info : { code: 'INTERNAL' as const, message: String(err) };
        // A request the server refused as a whole will not pass by retrying: show it as failed.
        const status = err instanceof TransportError && err.kind === 'fatal' ? 'failed' : 'pending';
        await releaseInFlight(db, sent.map((op) => op.id!), info, status);
        throw err;
      }
      const t2 = this.deps.now();
      const summary = await applyPushResults(db, sent, response.results, this.deps.now(), {
        recordsWithOtherRows,
        snapshotMaxId,
      });
      log.debug('[SyncPush]', `${sent.length} operations: mark ${t1 - t0} ms, request ${t2 - t1} ms, apply ${this.deps.now() - t2} ms`);
      snapshot = afterOutcomes(snapshot, summary.outcomes, summary.mappings);
      counters.pushed += summary.pushed;
      counters.failed += summary.failed;
      counters.conflicts += summary.conflicts;
      summary.changedTypes.forEach((t) => counters.changedTypes.add(t));
      for (const m of summary.mappings) notify({ type: 'ID_REMAPPED', entityType: m.entityType, tempId: m.tempId, realId: m.realId });
      for (const conflict of summary.newConflicts) notify({ type: 'CONFLICT_ADDED', conflict });
      processed += sent.length - summary.unanswered;
      const shownTotal = Math.max(total, processed);
      notify({
        type: 'SYNC_PROGRESS',
        progress: { phase: 'push', processed, total: shownTotal, percentage: Math.min(100, Math.round((processed / shownTotal) * 100)) },
      });
      // Counting the queue costs a scan of its indexes: a few times a second is enough while
      // pushing (the run's end always sends the final figures).
      if (this.deps.now() - statsSentAt >= 250) {
        notify({ type: 'QUEUE_STATS', stats: await queueStats(db) });
        statsSentAt = this.deps.now();
      }
      if (summary.unanswered === sent.length) {
        throw new SyncStop({ code: 'SERVER_ERROR', message: 'The server answered the push without results' });
      }
    }
  }

  // ------------------------------------------------------------------ pull

  private async pull(session: SessionUser, counters: RunCounters): Promise<void> {
    const { db, log } = this.deps;
    const notify = (e: WorkerEvent) => this.notify(e);
    let cursor = await getMeta(db, 'pullCursor');
    const lastPulledAt = (await getMeta(db, 'lastPulledAt')) ?? 0;
    let processed = 0;
    for (;;) {
      const t0 = this.deps.now();
      const page = await this.withRetry('[SyncPull]', () =>
        this.deps.transport.pull({
          cursor,
          lastSyncTimestamp: cursor ? 0 : lastPulledAt,
          practiceId: session.practiceId,
          entityTypes: ENTITY_TYPES,
          limit: this.config.pullLimit,
        }),
      );
      const t1 = this.deps.now();
      const summary = await applyPullPage(db, page.changes, page.cursor, page.timestamp);
      for (const bad of summary.quarantined) {
        log.error('[SyncPull]', `set aside unreadable ${bad.entityType} ${bad.id} (version ${bad.version}): ${bad.reason}`);
      }
      cursor = page.cursor;
      processed += summary.applied;
      counters.pulled += summary.applied;
      summary.changedTypes.forEach((t) => counters.changedTypes.add(t));
      log.debug(
        '[SyncPull]',
        `applied ${summary.applied} changes (${summary.rebased} rebased on local work): request ${t1 - t0} ms, apply ${this.deps.now() - t1} ms, hasMore=${page.hasMore}`,
      );
      const total = processed + (page.hasMore ? this.config.pullLimit : 0);
      notify({
        type: 'SYNC_PROGRESS',
        progress: { phase: 'pull', processed, total, percentage: total === 0 ? 100 : Math.round((processed / total) * 100) },
      });
      if (!page.hasMore) break;
    }
  }

  /** Retries network errors and 5xx with exponential backoff and jitter; other failures go up at once. */
  private async withRetry<T>(prefix: string, call: () => Promise<T>): Promise<T> {
    const { backoff } = this.config;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof TransportError) || err.kind !== 'retry' || attempt >= backoff.maxAttempts) throw err;
        const delay = backoffDelay(attempt, backoff, this.deps.random);
        this.deps.log.debug(prefix, `${err.info.code}: ${err.message}; retry ${attempt} in ${delay} ms`);
        await this.deps.sleep(delay);
      }
    }
  }
}

export function toPushOperation(op: StoredOperation): PushOperation {
  return {
    id: op.id!,
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

/** Records that have more than one row in these rows. */
function recordsWithSeveralRows(ops: readonly StoredOperation[]): Set<string> {
  const seen = new Set<string>();
  const several = new Set<string>();
  for (const op of ops) {
    const key = recordKey(op);
    if (seen.has(key)) several.add(key);
    else seen.add(key);
  }
  return several;
}

/**
 * The snapshot after a batch, as the store now has it: acknowledged rows leave, the others carry
 * their new status, and temp ids that got their real id are rewritten.
 */
function afterOutcomes(
  ops: readonly StoredOperation[],
  outcomes: ReadonlyMap<number, string>,
  mappings: readonly IdMapping[],
): StoredOperation[] {
  const out: StoredOperation[] = [];
  for (let op of ops) {
    const outcome = outcomes.get(op.id!);
    if (outcome === 'acknowledged') continue;
    if (outcome === 'conflict') op = { ...op, status: 'conflict' };
    else if (outcome === 'failed') op = { ...op, status: 'failed', retryable: false };
    out.push(op);
  }
  return remapOperations(out, mappings);
}
