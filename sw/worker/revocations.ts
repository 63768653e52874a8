/**
 * Sign-outs the server has not heard of yet, as requests: `POST /api/auth/revoke {token}` and its
 * replay. Without Workbox, so Node tests run it against the real server; the worker keeps the
 * requests in Workbox's queue (sign-out-queue.ts).
 */
export const REVOKE_PATH = '/api/auth/revoke';

export interface SignOutQueue {
  /** Keeps the revocation until the server took it. */
  add(token: string): Promise<void>;
  /** Sends what is kept now; leaves it kept when the network is still away. `trigger` is for the log. */
  replay(trigger: string): Promise<void>;
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
export async function replayRevocations(
  queue: RequestQueue,
  fetchFn: (request: Request) => Promise<Response>,
  log: (message: string) => void = () => undefined,
): Promise<number> {
  let sent = 0;
  for (let entry = await queue.shiftRequest(); entry; entry = await queue.shiftRequest()) {
    let retryLater: boolean;
    try {
      const response = await fetchFn(entry.request.clone());
      retryLater = response.status >= 500 || response.status === 429;
      log(`the server answered ${response.status} to a kept sign-out${retryLater ? ': kept for later' : ''}`);
    } catch (err) {
      retryLater = true;
      log(`a kept sign-out could not be sent (${String(err)}): kept for later`);
    }
    if (retryLater) {
      await queue.unshiftRequest(entry);
      throw new Error('The server could not be told of a sign-out yet; it is kept and sent later');
    }
    sent++;
  }
  return sent;
}
