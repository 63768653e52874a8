/**
 * Which failures may pass by themselves, in one table: the transport (HTTP statuses), the push
 * answer (per-operation error codes) and the worker runtime (a whole sync's error, to ask the
 * browser for a background-sync retry) all decide from here.
 */
import type { SyncErrorCode } from './sync.ts';

interface RetryRule {
  /** A row the server answered with this code stays queued as pending and is sent again. */
  operation: boolean;
  /** A sync that ended with this code is retried by the browser's background sync. */
  sync: boolean;
}

/** Codes not listed are not retried: they need a person (a conflict, a refusal, a bad request) to change. */
export const RETRY_RULES: Partial<Record<SyncErrorCode, RetryRule>> = {
  NETWORK: { operation: true, sync: true },
  SERVER_ERROR: { operation: true, sync: true },
  // For one row: the server failed on it and may not next time. For a whole sync: the worker itself
  // failed, and a browser retry would fail the same way.
  INTERNAL: { operation: true, sync: false },
};

/** A row the server answered with this error is sent again rather than held as failed. */
export function isRetryableOperationError(code: SyncErrorCode): boolean {
  return RETRY_RULES[code]?.operation ?? false;
}

/** A sync that failed with this error should be retried later by the browser. */
export function isTransientSyncError(code: SyncErrorCode): boolean {
  return RETRY_RULES[code]?.sync ?? false;
}

/** HTTP statuses worth sending the same request again for: timeouts, rate limits, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}
