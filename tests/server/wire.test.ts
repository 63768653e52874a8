import { describe, expect, it } from 'vitest';
import { WireTypeError, asMs, iso } from '../../server/store/wire.ts';

describe('wire times', () => {
  it('turns ms into ISO and back, the same whichever was converted last', () => {
    for (const ms of [0, 1_700_000_000_123, Date.UTC(2199, 11, 31, 23, 59, 59, 999)]) {
      const text = iso(ms);
      expect(text).toBe(new Date(ms).toISOString());
      expect(asMs(text, 'appointments', 'date')).toBe(ms);
      iso(ms + 1); // another conversion in between
      expect(asMs(text, 'appointments', 'date')).toBe(ms);
    }
  });

  it('refuses what is not a date-time, also right after a conversion', () => {
    iso(0);
    for (const bad of ['', 'tomorrow', 42, null]) {
      expect(() => asMs(bad, 'appointments', 'date'), String(bad)).toThrow(WireTypeError);
    }
  });
});
