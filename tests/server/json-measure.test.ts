/**
 * measureJson skips strings with a native search; these hold it to the plain definition (every
 * byte read, string-aware) on valid JSON and on any text made of the bytes that matter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureJson, type JsonShape } from '../../server/http/json-body.ts';

/** The definition, one byte at a time. */
function byteByByte(bytes: Buffer): JsonShape {
  let depth = 0;
  let max = 0;
  let inString = false;
  let surrogateEscapes = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = String.fromCharCode(bytes[i] ?? 0);
    if (inString) {
      if (c === '\\') {
        const escape = bytes.subarray(i + 1, i + 4).toString('latin1');
        if (/^u[dD][89a-fA-F]/.test(escape)) surrogateEscapes = true;
        i++;
      } else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return { depth: max, surrogateEscapes };
}

const depthOf = (value: unknown): number =>
  typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;

describe('measureJson', () => {
  it('measures any JSON value: its depth, and whether it escapes a surrogate', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.string({ unit: 'binary' }), (value, text) => {
        for (const body of [JSON.stringify(value), JSON.stringify({ notes: text, data: [value] })]) {
          const shape = measureJson(Buffer.from(body));
          expect(shape).toEqual(byteByByte(Buffer.from(body)));
          expect(shape.depth).toBe(depthOf(JSON.parse(body)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the byte-by-byte definition on any text of quotes, escapes and brackets', () => {
    const piece = fc.constantFrom(
      '"',
      '\\',
      '\\"',
      '\\\\',
      '\\u',
      'd8',
      'D9',
      'u',
      'a',
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      ' x',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const bytes = Buffer.from(pieces.join(''));
        expect(measureJson(bytes)).toEqual(byteByByte(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a surrogate escape after many strings without one, and an escaped quote inside a string', () => {
    const plain = Array.from({ length: 500 }, (_, i) => `"k${i}":"v${i}"`).join(',');
    expect(measureJson(Buffer.from(`{${plain},"x":"a\\"b{["}`))).toEqual({ depth: 1, surrogateEscapes: false });
    expect(measureJson(Buffer.from(`{${plain},"x":["\\ud83d"]}`))).toEqual({ depth: 2, surrogateEscapes: true });
  });
});
