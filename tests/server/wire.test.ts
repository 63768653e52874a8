import fc from 'fast-check';
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

  it("stays right for any order of conversions (a batch alternates its time with each create's date)", () => {
    const instant = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2199, 11, 31) });
    fc.assert(
      fc.property(fc.array(fc.oneof(instant, fc.constantFrom(0, 1, 2)), { minLength: 1, maxLength: 40 }), (times) => {
        const texts = times.map((ms) => {
          const text = iso(ms);
          expect(text).toBe(new Date(ms).toISOString());
          return text;
        });
        // Read back after every conversion, the remembered ones and the forgotten ones alike.
        texts.forEach((text, i) => expect(asMs(text, 'appointments', 'date')).toBe(times[i]));
      }),
    );
  });

  it('refuses what is not a date-time, also right after a conversion', () => {
    iso(0);
    for (const bad of ['', 'tomorrow', 42, null]) {
      expect(() => asMs(bad, 'appointments', 'date'), String(bad)).toThrow(WireTypeError);
    }
  });
});
