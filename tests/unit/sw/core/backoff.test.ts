import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../../../../sw/core/backoff.ts';

describe('backoffDelay', () => {
  const policy = { baseMs: 1000, maxMs: 8000, maxAttempts: 5 };
  it('doubles per attempt with half of each step random, capped', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0.999999))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });
  it("waits at least the server's Retry-After, never beyond the cap", () => {
    expect(backoffDelay(1, policy, () => 0, 3000)).toBe(3000);
    expect(backoffDelay(3, policy, () => 0, 100)).toBe(2000);
    expect(backoffDelay(1, policy, () => 0, 60_000)).toBe(8000);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 10, 26, 10, 0, 0);
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
