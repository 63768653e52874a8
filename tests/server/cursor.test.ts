/** server/sync/cursor.ts: the pull cursor's text format. */
import { describe, expect, it } from 'vitest';
import { CursorError, decodeCursor, encodeCursor } from '../../server/sync/cursor.ts';

describe('cursor', () => {
  it('round-trips as base64url JSON {v, p, s}', () => {
    const text = encodeCursor({ practiceId: 3, positions: { users: 10, appointments: 250 } });
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(text, 'base64url').toString())).toEqual({
      v: 1,
      p: 3,
      s: { users: 10, appointments: 250 },
    });
    expect(decodeCursor(text)).toEqual({ practiceId: 3, positions: { users: 10, appointments: 250 } });
  });

  it.each([
    '',
    '!!!',
    Buffer.from('{"v":2,"p":1,"s":{}}').toString('base64url'),
    Buffer.from('{"v":1,"p":1,"s":{"pets":1.5}}').toString('base64url'),
  ])('refuses %j', (text) => {
    expect(() => decodeCursor(text)).toThrow(CursorError);
  });
});
