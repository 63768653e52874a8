import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../../../src/protocol/index.ts';

const random = <T extends Uint8Array>(bytes: T): T => randomFillSync(bytes);
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('is a version 7, variant 10 UUID whose first 48 bits are the time in ms', () => {
    const now = Date.UTC(2026, 10, 26, 7, 0, 0, 123);
    const id = uuidV7(now, random);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('sorts by the time it was made (what keeps the server index inserts at its right edge)', () => {
    const start = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 200 }, (_, i) => uuidV7(start + i * 7, random));
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps the random bits apart from version and variant: ids of the same ms differ', () => {
    const now = Date.UTC(2026, 0, 1);
    const ids = new Set(Array.from({ length: 1000 }, () => uuidV7(now, random)));
    expect(ids.size).toBe(1000);
    // All-ones random bytes still give a well-formed id (version and variant bits forced).
    expect(uuidV7(now, (bytes) => bytes.fill(0xff))).toMatch(UUID_V7);
  });
});
