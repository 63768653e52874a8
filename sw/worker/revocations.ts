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

/** Timers as the replayer needs them (fake ones in Node tests). */
export interface RetryTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ReplayerOptions {
  log?: (message: string) => void;
  /** A pass sent every kept sign-out, `sent` of them (> 0): the signed-out card stops saying "as soon as online". */
  onDelivered?: (sent: number) => void;
  timers?: RetryTimers;
  /** First wait before a failed replay is tried again while the worker runs; doubled up to `maxRetryMs`. */
  firstRetryMs?: number;
  maxRetryMs?: number;
}

/**
 * Runs the replays of kept sign-outs one at a time, whoever asks (sign-out, the page's `online`,
 * Background Sync, sign-in, worker start, a retry). The answer each asker gets is the outcome of a
 * pass that started after it asked: one that asks while a pass runs gets a pass of its own once
 * that one ends. (Joining the running pass handed its failure on: the page's `online` can reach
 * the worker before the worker's own network is back, that pass fails at once, and a Background
 * Sync event that joined it failed with it, after which Chromium waits minutes to fire it again.)
 * A failed pass is tried again soon while the worker runs; a pass that sent everything stops that.
 */
export function revocationReplayer(
  pass: () => Promise<number>,
  {
    log = () => undefined,
    onDelivered = () => undefined,
    timers = { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as number) },
    firstRetryMs = 2_000,
    maxRetryMs = 60_000,
  }: ReplayerOptions = {},
): (trigger: string) => Promise<void> {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  let retryTimer: unknown = null;
  let retryDelay = firstRetryMs;

  const retrySoon = (): void => {
    if (retryTimer !== null) return;
    log(`replay failed: trying again in ${retryDelay} ms`);
    retryTimer = timers.set(() => {
      retryTimer = null;
      void replay('retry').catch(() => undefined);
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, maxRetryMs);
  };
  const start = (): Promise<void> => {
    // The pass starts in a microtask: an asker may call while its own setup runs (Workbox's Queue
    // calls onSync from its constructor where there is no Background Sync, e.g. Firefox), and a
    // pass that throws at once is a failed pass, not an exception thrown at the asker.
    const current: Promise<void> = Promise.resolve()
      .then(pass)
      .then(
        (sent) => {
          if (sent > 0) {
            log(`${sent} kept sign-out(s) reached the server`);
            onDelivered(sent);
          }
          retryDelay = firstRetryMs;
          if (retryTimer !== null) timers.clear(retryTimer);
          retryTimer = null;
        },
        (error: unknown) => {
          retrySoon();
          throw error;
        },
      )
      .finally(() => {
        if (running === current) running = null;
      });
    running = current;
    return current;
  };
  const replay = (trigger: string): Promise<void> => {
    if (!running) {
      log(`replay (${trigger})`);
      return start();
    }
    log(`replay (${trigger}): after the one running`);
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return running ?? start();
      });
    return next;
  };
  return replay;
}
