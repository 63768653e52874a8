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
import { replayRevocations, revocationReplayer, revokeRequest, type SignOutQueue } from './revocations.ts';

export const SIGN_OUT_QUEUE_NAME = 'smartdmv-sign-outs';
/** As long as a session lives on the server (30 days): after that there is nothing to end. */
const RETENTION_MINUTES = 30 * 24 * 60;

export function workboxSignOutQueue(
  self: ServiceWorkerGlobalScope,
  logger: ConsoleLogger,
  onDelivered: (sent: number) => void,
): SignOutQueue {
  const log = (message: string) => logger.debug('[SignOut]', message);
  // One replay at a time, whoever asks (see revocationReplayer); a pass runs only after `queue` exists.
  const replay = revocationReplayer(() => replayRevocations(queue, (request) => fetch(request), log), {
    log,
    onDelivered,
  });
  // Created while the worker script runs: Workbox adds its `sync` listener here.
  const queue = new Queue(SIGN_OUT_QUEUE_NAME, {
    maxRetentionTime: RETENTION_MINUTES,
    onSync: () => replay('background sync'),
  });
  return {
    async add(token) {
      // pushRequest also registers the queue's Background Sync tag (fired once online).
      await queue.pushRequest({ request: revokeRequest(self.location.origin, token) });
    },
    replay: (trigger) => replay(trigger).catch(() => undefined),
  };
}
