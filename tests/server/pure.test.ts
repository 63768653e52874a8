/** Pure helpers of the sync layer: cursor format, response serialisation. */
import { describe, expect, it } from 'vitest';
import type { PushResponse } from '../../src/protocol/index.ts';
import { CursorError, decodeCursor, encodeCursor } from '../../server/sync/cursor.ts';
import { serializePushResponse, summarise } from '../../server/sync/push.ts';

describe('cursor', () => {
  it('round-trips as base64url JSON {v, p, s}', () => {
    const text = encodeCursor({ practiceId: 3, positions: { users: 10, appointments: 250 } });
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(text, 'base64url').toString())).toEqual({ v: 1, p: 3, s: { users: 10, appointments: 250 } });
    expect(decodeCursor(text)).toEqual({ practiceId: 3, positions: { users: 10, appointments: 250 } });
  });

  it.each(['', '!!!', Buffer.from('{"v":2,"p":1,"s":{}}').toString('base64url'), Buffer.from('{"v":1,"p":1,"s":{"pets":1.5}}').toString('base64url')])(
    'refuses %j',
    (text) => {
      expect(() => decodeCursor(text)).toThrow(CursorError);
    },
  );
});

describe('push response', () => {
  it('serialises to the same JSON as JSON.stringify, reusing known result texts', () => {
    const response: PushResponse = summarise(
      [
        { opId: 'a', success: true, entityType: 'pets', realId: 1, version: 1, record: { id: 1, name: 'Rex "the dog"' } },
        { opId: 'b', success: false, entityType: 'pets', error: { code: 'VALIDATION', message: 'bad' } },
        { opId: 'c', success: false, conflict: true, entityType: 'pets', realId: 2 },
      ],
      123,
    );
    expect(response).toMatchObject({ processed: 1, failed: 1, conflicts: 1, timestamp: 123 });
    const first = response.results[0]!;
    const text = serializePushResponse(response, (r) => (r === first ? JSON.stringify(first) : undefined));
    expect(JSON.parse(text)).toEqual(response);
    const empty = { ...response, results: [] };
    expect(JSON.parse(serializePushResponse(empty, () => undefined))).toEqual(empty);
  });
});
