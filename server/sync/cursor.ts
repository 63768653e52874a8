/**
 * The pull cursor: where a device is in the server's change sequence, per entity type.
 *
 * Every write of a synced row stamps it with the next number of one global counter (`seq`),
 * inside the write transaction, so seq order is commit order. A pull returns rows with
 * seq > cursor in seq order and moves the cursor to the last one returned (or, when a type has
 * nothing more, to the counter's value in the same read snapshot). Paging therefore never skips
 * nor repeats a change, however many rows share a timestamp.
 *
 * Wire form (opaque to clients): base64url of JSON `{"v":1,"p":<practiceId>,"s":{"users":12,...}}`.
 */
import { ENTITY_TYPES, type EntityType } from '../../src/protocol/index.ts';

export interface Cursor {
  practiceId: number;
  positions: Partial<Record<EntityType, number>>;
}

export class CursorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CursorError';
  }
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ v: 1, p: cursor.practiceId, s: cursor.positions })).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('cursor is not one this server made');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new CursorError('cursor is not one this server made');
  const { v, p, s } = parsed as Record<string, unknown>;
  if (v !== 1 || typeof p !== 'number' || !Number.isInteger(p) || typeof s !== 'object' || s === null) {
    throw new CursorError('cursor is not one this server made');
  }
  const positions: Partial<Record<EntityType, number>> = {};
  for (const type of ENTITY_TYPES) {
    const seq = (s as Record<string, unknown>)[type];
    if (seq === undefined) continue;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
      throw new CursorError(`cursor position for ${type} is invalid`);
    positions[type] = seq;
  }
  return { practiceId: p, positions };
}
