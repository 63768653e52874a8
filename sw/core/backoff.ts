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
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
