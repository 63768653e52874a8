/// <reference lib="webworker" />
/**
 * The server side of a sign-out made while offline: `POST /api/auth/revoke {token}` kept in a
 * Workbox `Queue` (workbox-background-sync, its own IndexedDB store) and replayed when the
 * network returns: by its Background Sync tag (also with every tab closed), at worker start where
 * there is no Background Sync, and whenever the worker sees the network (a sign-in, the page's
 * `online`). The revocation token needs no cookie, so a replay made while the next user is
 * signed in ends only the old session.
 */
import { Queue } from 'workbox-background-sync';
import type { ConsoleLogger } from '../sync/console-logger.ts';
import { replayRevocations, revokeRequest, type RequestQueue, type SignOutQueue } from './revocations.ts';

export const SIGN_OUT_QUEUE_NAME = 'smartdmv-sign-outs';
/** As long as a session lives on the server (30 days): after that there is nothing to end. */
const RETENTION_MINUTES = 30 * 24 * 60;

/** First wait before trying a failed replay again while the worker runs, doubled up to the cap. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;

export function workboxSignOutQueue(self: ServiceWorkerGlobalScope, logger: ConsoleLogger): SignOutQueue {
  const log = (message: string) => logger.debug('[SignOut]', message);
  let replaying: Promise<void> | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = RETRY_FIRST_MS;
  // A replay tried at the very moment the network comes back can still fail (the page's `online`
  // can beat the worker's own network); Background Sync would retry only minutes later, so retry
  // soon while the worker runs (if it stops, Background Sync and the next start remain).
  const retrySoon = (queue: RequestQueue): void => {
    if (retryTimer !== null) return;
    log(`replay failed: trying again in ${retryDelay} ms`);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void replay(queue, 'retry').catch(() => undefined);
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  };
  const replay = (queue: RequestQueue, trigger: string): Promise<void> => {
    log(`replay (${trigger})${replaying ? ': joins the one running' : ''}`);
    return (replaying ??= replayRevocations(queue, (request) => fetch(request), log)
      .then(
        (sent) => {
          if (sent > 0) log(`${sent} kept sign-out(s) reached the server`);
          retryDelay = RETRY_FIRST_MS;
        },
        (error: unknown) => {
          retrySoon(queue);
          throw error;
        },
      )
      .finally(() => (replaying = null)));
  };
  // Created while the worker script runs: Workbox adds its `sync` listener here.
  const queue = new Queue(SIGN_OUT_QUEUE_NAME, {
    maxRetentionTime: RETENTION_MINUTES,
    onSync: ({ queue: q }) => replay(q, 'background sync'),
  });
  return {
    async add(token) {
      // pushRequest also registers the queue's Background Sync tag (fired once online).
      await queue.pushRequest({ request: revokeRequest(self.location.origin, token) });
    },
    replay: (trigger) => replay(queue, trigger).catch(() => undefined),
  };
}
