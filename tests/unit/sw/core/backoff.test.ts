import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../../sw/core/backoff.ts';

describe('backoffDelay', () => {
  const policy = { baseMs: 1000, maxMs: 8000, maxAttempts: 5 };
  it('doubles per attempt with half of each step random, capped', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0.999999))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });
});
