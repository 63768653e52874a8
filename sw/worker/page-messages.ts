/**
 * Answers the page's requests (see PageMessage in src/protocol/messages.ts). Each handler returns
 * the reply value; the caller posts it on the request's MessagePort.
 */
import {
  WorkerErrorCodeSchema,
  changeRefusal,
  mayDecideOnChange,
  type ChangeAction,
  type ChangeRefusal,
  type PageMessage,
  type PageMessageReplies,
  type PageMessageType,
  type SessionUser,
  type SyncState,
  type WorkerEvent,
  type WorkerReply,
} from '../../src/protocol/index.ts';
import type { SyncDb } from '../db/schema.ts';
import { readQuarantine } from '../store/apply-pull.ts';
import { applyResolution, listConflicts } from '../store/conflicts.ts';
import { discardFailed, discardOperation } from '../store/discard.ts';
import { getMeta, setMeta } from '../store/meta.ts';
import { clearCompletedCount, operationsForPage, queueStats, retryOperation, unsyncedByUser } from '../store/queue.ts';
import { clearReplica, type SessionCache } from '../store/session.ts';
import type { SyncEngine } from '../sync/engine.ts';
import type { SwitchableConsoleLogger } from '../sync/console-logger.ts';
import type { OthersWaiting } from './others-waiting.ts';
import type { SignOutQueue } from './revocations.ts';

export interface PageMessageContext {
  db: SyncDb;
  engine: SyncEngine;
  logger: SwitchableConsoleLogger;
  now: () => number;
  uuid: () => string;
  notify: (event: WorkerEvent) => void;
  /** Ask for a sync (Background Sync where available, else at once). */
  scheduleSync: (trigger: string) => void;
  skipWaiting: () => void;
  backgroundSyncSupported: boolean;
  /** A failed Background Sync waits for the browser's retry, minutes away: the network's return must not. */
  browserRetryPending: boolean;
  onSessionStarted: (user: SessionUser) => void;
  session: SessionCache;
  /** Sign-outs the server has not heard of yet (worker/sign-out-queue.ts). */
  signOutQueue: SignOutQueue;
  /** How many queued rows a sync of the person signed in does not send (another person's, or waiting). */
  othersWaiting: OthersWaiting;
}

type Handlers = {
  [K in PageMessageType]: (
    msg: Extract<PageMessage, { type: K }>,
    ctx: PageMessageContext,
  ) => Promise<PageMessageReplies[K]>;
};

async function state(ctx: PageMessageContext): Promise<SyncState> {
  const { db } = ctx;
  const stats = await queueStats(db);
  await ctx.othersWaiting.refresh(stats);
  return {
    isSyncing: ctx.engine.isSyncing,
    progress: ctx.engine.progress,
    lastResult: await getMeta(db, 'lastResult'),
    stats: ctx.othersWaiting.stats(stats),
    authRequired: await getMeta(db, 'authRequired'),
    debug: ctx.logger.enabled,
    autoSync: await getMeta(db, 'autoSync'),
    user: await ctx.session.get(),
    lastPulledAt: await getMeta(db, 'lastPulledAt'),
    backgroundSync: ctx.backgroundSyncSupported,
    lastActivity: await getMeta(db, 'lastActivity'),
    quarantined: (await quarantine(db)).length,
  };
}

function quarantine(db: SyncDb) {
  return readQuarantine(db.transaction('meta', 'readonly'));
}

/** After rows were discarded, retried, resolved, or the person signed in changed. */
async function statsChanged(ctx: PageMessageContext) {
  await ctx.othersWaiting.recount();
  const stats = ctx.othersWaiting.stats(await queueStats(ctx.db));
  ctx.notify({ type: 'QUEUE_STATS', stats });
  return stats;
}

/** A request refused for who is asking, with a code of the protocol (see answerPageMessage). */
class RefusedRequest extends Error {
  readonly code: ChangeRefusal['code'];
  constructor(refusal: ChangeRefusal) {
    super(refusal.message);
    this.code = refusal.code;
    this.name = 'RefusedRequest';
  }
}

/**
 * Only the author of a queued change may resolve, discard or retry it (src/protocol/ownership.ts);
 * nobody when nobody is signed in. A row that is gone passes: the action then finds nothing to do
 * (or CONFLICT_NOT_FOUND), as before. The author's name comes from the people who signed in here,
 * else from the replica.
 */
async function checkMayDecide(ctx: PageMessageContext, action: ChangeAction, operationId: number | null) {
  const [user, row] = await Promise.all([
    ctx.session.get(),
    operationId === null ? undefined : ctx.db.get('sync_operations', operationId),
  ]);
  const authorId = row?.userId ?? null;
  const signedInId = user?.id ?? null;
  if (mayDecideOnChange(authorId, signedInId)) return;
  const authorName =
    authorId === null
      ? null
      : ((await getMeta(ctx.db, 'knownUsers'))[String(authorId)] ??
        (await ctx.db.get('users', authorId))?.name ??
        null);
  const refusal = changeRefusal(action, { authorId, authorName }, signedInId);
  if (refusal) throw new RefusedRequest(refusal);
}

const handlers: Handlers = {
  SYNC_NOW: (_msg, ctx) => ctx.engine.sync('manual'),
  GET_STATE: (_msg, ctx) => state(ctx),
  GET_OPERATIONS: async (_msg, ctx) => operationsForPage(ctx.db, await ctx.session.get()),
  GET_CONFLICTS: (_msg, ctx) => listConflicts(ctx.db),
  GET_QUARANTINE: (_msg, ctx) => quarantine(ctx.db),
  RESOLVE_CONFLICT: async (msg, ctx) => {
    await checkMayDecide(ctx, 'resolve', (await ctx.db.get('conflicts', msg.conflictId))?.operationId ?? null);
    const summary = await applyResolution(ctx.db, msg.conflictId, msg.resolution, {
      now: ctx.now(),
      uuid: ctx.uuid,
      userId: (await ctx.session.get())?.id ?? null,
    });
    ctx.notify({ type: 'CONFLICT_RESOLVED', conflictId: msg.conflictId });
    ctx.notify({ type: 'DATA_CHANGED', entityTypes: [summary.conflict.entityType] });
    await statsChanged(ctx);
    if (summary.queuedOperationId !== null) ctx.scheduleSync('conflict-resolved');
    return { queuedOperationId: summary.queuedOperationId };
  },
  CLEAR_COMPLETED: async (_msg, ctx) => {
    await clearCompletedCount(ctx.db);
    return statsChanged(ctx);
  },
  CLEAR_FAILED: async (_msg, ctx) => {
    const user = await ctx.session.get();
    if (!user) return statsChanged(ctx);
    await discardFailed(ctx.db, ctx.now(), user.id);
    ctx.notify({ type: 'DATA_CHANGED', entityTypes: ['users', 'pets', 'appointments'] });
    return statsChanged(ctx);
  },
  RETRY_OPERATION: async (msg, ctx) => {
    await checkMayDecide(ctx, 'retry', msg.operationId);
    if (await retryOperation(ctx.db, msg.operationId)) ctx.scheduleSync('retry');
    return statsChanged(ctx);
  },
  DISCARD_OPERATION: async (msg, ctx) => {
    await checkMayDecide(ctx, 'discard', msg.operationId);
    if (await discardOperation(ctx.db, msg.operationId, ctx.now(), (await ctx.session.get())?.id ?? null)) {
      ctx.notify({ type: 'DATA_CHANGED', entityTypes: ['users', 'pets', 'appointments'] });
    }
    return statsChanged(ctx);
  },
  SET_DEBUG: async (msg, ctx) => {
    ctx.logger.enabled = msg.enabled;
    await setMeta(ctx.db, 'debug', msg.enabled);
    return { debug: msg.enabled };
  },
  SET_AUTO_SYNC: async (msg, ctx) => {
    await setMeta(ctx.db, 'autoSync', msg.enabled);
    if (msg.enabled) ctx.scheduleSync('auto-sync-on');
    return { autoSync: msg.enabled };
  },
  ONLINE: async (_msg, ctx) => {
    void ctx.signOutQueue.replay('online');
    const stats = await queueStats(ctx.db);
    const started = stats.pending + stats.failed > 0 && (!ctx.backgroundSyncSupported || ctx.browserRetryPending);
    if (started) ctx.scheduleSync('online');
    return { started };
  },
  SESSION_STARTED: async (msg, ctx) => {
    const previous = await ctx.session.get();
    if (previous && (previous.practiceId !== msg.user.practiceId || previous.tenantId !== msg.user.tenantId)) {
      // Another practice's data must not show: drop the replica (queued work stays queued).
      await clearReplica(ctx.db);
    }
    const sameUser = previous?.id === msg.user.id;
    const heldToken = await getMeta(ctx.db, 'revocationToken');
    // Someone else signed in over a session that never signed out: end that one on the server.
    if (!sameUser && heldToken) await ctx.signOutQueue.add(heldToken);
    await ctx.session.set(msg.user);
    // A page reload repeats the start without the token (the login gave it once): keep it then.
    if (msg.revocationToken || !sameUser) await setMeta(ctx.db, 'revocationToken', msg.revocationToken ?? null);
    await setMeta(ctx.db, 'knownUsers', {
      ...(await getMeta(ctx.db, 'knownUsers')),
      [String(msg.user.id)]: msg.user.name,
    });
    await setMeta(ctx.db, 'authRequired', false);
    await setMeta(ctx.db, 'signedOut', false);
    ctx.onSessionStarted(msg.user);
    await statsChanged(ctx);
    ctx.scheduleSync('login');
    // The network is there (the page just signed in): send sign-outs kept from earlier.
    void ctx.signOutQueue.replay('sign-in');
    return { started: true };
  },
  SESSION_ENDED: async (msg, ctx) => {
    const stats = await queueStats(ctx.db);
    const pending = stats.pending + stats.inFlight + stats.failed + stats.conflicts;
    const token = await getMeta(ctx.db, 'revocationToken');
    const user = await ctx.session.get();
    // From here on, reads and writes through the worker answer 401 and nothing syncs.
    await setMeta(ctx.db, 'signedOut', true);
    await ctx.session.set(null);
    await setMeta(ctx.db, 'revocationToken', null);
    // The page could not reach /api/auth/logout: the session ends on the server once it is told.
    const revokeQueued = token !== null && msg.serverSignedOut !== true;
    if (revokeQueued) {
      await ctx.signOutQueue.add(token);
      void ctx.signOutQueue.replay('sign-out');
    }
    // Patient data leaves the device at sign-out, unless it still holds unsent work.
    const dropped = pending === 0;
    if (dropped) await clearReplica(ctx.db);
    await statsChanged(ctx);
    if (user) ctx.notify({ type: 'SIGNED_OUT', userId: user.id });
    return { dropped, pending, revokeQueued };
  },
  GET_WAITING_WORK: async (_msg, ctx) => {
    const [counts, names] = await Promise.all([unsyncedByUser(ctx.db), getMeta(ctx.db, 'knownUsers')]);
    return [...counts].map(([userId, count]) => ({
      userId,
      name: userId === null ? null : (names[String(userId)] ?? null),
      count,
    }));
  },
  SKIP_WAITING: async (_msg, ctx) => {
    ctx.skipWaiting();
    return { skipping: true };
  },
};

export function handlePageMessage(message: PageMessage, ctx: PageMessageContext): Promise<unknown> {
  const handler = handlers[message.type] as (msg: PageMessage, ctx: PageMessageContext) => Promise<unknown>;
  return handler(message, ctx);
}

/**
 * The reply posted on the request's port. A refusal keeps its reason: errors that carry a code of
 * the protocol (a resolution needing a choice, an unknown conflict) pass it on; others are INTERNAL.
 */
export async function answerPageMessage(message: PageMessage, ctx: PageMessageContext): Promise<WorkerReply> {
  try {
    return { ok: true, value: await handlePageMessage(message, ctx) };
  } catch (err) {
    const code = WorkerErrorCodeSchema.safeParse(err instanceof Error && 'code' in err ? err.code : undefined);
    return {
      ok: false,
      error: { code: code.success ? code.data : 'INTERNAL', message: err instanceof Error ? err.message : String(err) },
    };
  }
}
