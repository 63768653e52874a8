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

export const SIGN_OUT_QUEUE_NAME = 'smartdmv-sign-outs';
export const REVOKE_PATH = '/api/auth/revoke';
/** As long as a session lives on the server (30 days): after that there is nothing to end. */
const RETENTION_MINUTES = 30 * 24 * 60;

export interface SignOutQueue {
  /** Keeps the revocation until the server took it. */
  add(token: string): Promise<void>;
  /** Sends what is kept now; leaves it kept when the network is still away. */
  replay(): Promise<void>;
}

/** The part of Workbox's `Queue` the replay needs (a fake stands in for it in Node tests). */
export interface RequestQueue {
  shiftRequest(): Promise<{ request: Request; timestamp?: number } | undefined>;
  unshiftRequest(entry: { request: Request; timestamp?: number }): Promise<void>;
}

export function revokeRequest(origin: string, token: string): Request {
  return new Request(new URL(REVOKE_PATH, origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
    credentials: 'omit',
  });
}

/**
 * Sends every kept revocation, oldest first. The server answers 200 whether or not the session
 * still existed, so any answer but a network error, a 5xx or a 429 (try again later) means done
 * (a 4xx would not pass by resending). Throws when one must wait: Background Sync retries then.
 */
export async function replayRevocations(queue: RequestQueue, fetchFn: (request: Request) => Promise<Response>): Promise<number> {
  let sent = 0;
  for (let entry = await queue.shiftRequest(); entry; entry = await queue.shiftRequest()) {
    let retryLater: boolean;
    try {
      const response = await fetchFn(entry.request.clone());
      retryLater = response.status >= 500 || response.status === 429;
    } catch {
      retryLater = true;
    }
    if (retryLater) {
      await queue.unshiftRequest(entry);
      throw new Error('The server could not be told of a sign-out yet; it is kept and sent later');
    }
    sent++;
  }
  return sent;
}

export function workboxSignOutQueue(self: ServiceWorkerGlobalScope): SignOutQueue {
  let replaying: Promise<void> | null = null;
  const replay = (queue: RequestQueue): Promise<void> =>
    (replaying ??= replayRevocations(queue, (request) => fetch(request))
      .then(() => undefined)
      .finally(() => (replaying = null)));
  // Created while the worker script runs: Workbox adds its `sync` listener here.
  const queue = new Queue(SIGN_OUT_QUEUE_NAME, {
    maxRetentionTime: RETENTION_MINUTES,
    onSync: ({ queue: q }) => replay(q),
  });
  return {
    async add(token) {
      // pushRequest also registers the queue's Background Sync tag (fired once online).
      await queue.pushRequest({ request: revokeRequest(self.location.origin, token) });
    },
    replay: () => replay(queue).catch(() => undefined),
  };
}
