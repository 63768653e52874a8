/** Retry policy (pure): exponential backoff with "equal jitter". */

export interface BackoffPolicy {
  /** First delay, in ms. */
  baseMs: number;
  /** Upper bound of one delay, in ms. */
  maxMs: number;
  /** Attempts within one sync run before giving the work back to the browser's Background Sync. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000, maxAttempts: 4 };

/**
 * Delay before retry number `attempt` (1 = first retry): half of the exponential step is fixed,
 * half random, so devices that failed together do not retry together.
 * `random` returns [0, 1).
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterMs: number | null = null,
): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exponential / 2 + random() * (exponential / 2));
  // A server that says when to come back (503/429 `Retry-After`) is not asked sooner, nor later than the cap.
  return retryAfterMs === null ? jittered : Math.min(policy.maxMs, Math.max(jittered, retryAfterMs));
}

/**
 * `Retry-After` in ms: delay-seconds or an HTTP date (relative to `now`); null when absent or
 * unreadable, 0 for a date already past.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
