import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { keyRuns } from '../../../sw/store/queue.ts';

describe('keyRuns', () => {
  it('covers exactly the chosen ids with as few ranges as the gaps allow', () => {
    const runs = keyRuns([5, 1, 2, 3, 7, 8, 9, 4], new Set([1, 2, 3, 5, 7, 8, 9]));
    // 6 does not exist, so 5..9 is one range; 4 is not chosen and splits the run.
    expect(runs.map((r) => [r.lower, r.upper])).toEqual([
      [1, 3],
      [5, 9],
    ]);
    expect(keyRuns([1, 2], new Set())).toEqual([]);
  });
});
