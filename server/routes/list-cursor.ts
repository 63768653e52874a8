/**
 * The `cursor` of REST lists: where the next page starts (after the row with this sort key and
 * id), bound to the practice and the entity type. Opaque to clients: base64url of
 * `{"v":1,"p":<practiceId>,"e":"<entityType>","k":<date ms or name>,"i":<id>}`.
 */
import { isWellFormedText, type EntityType } from '../../src/protocol/index.ts';
import { HttpError } from '../http/errors.ts';
import type { ListKey } from '../store/entities.ts';

export function encodeListCursor(practiceId: number, entityType: EntityType, key: ListKey): string {
  return Buffer.from(JSON.stringify({ v: 1, p: practiceId, e: entityType, k: key.key, i: key.id })).toString(
    'base64url',
  );
}

export function decodeListCursor(text: string, practiceId: number, entityType: EntityType): ListKey {
  const invalid = () => new HttpError(400, 'VALIDATION', 'cursor: not one this list gave out');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { v, p, e, k, i } = parsed as Record<string, unknown>;
  const keyOk =
    entityType === 'appointments'
      ? typeof k === 'number' && Number.isSafeInteger(k)
      : typeof k === 'string' && k.length <= 500 && isWellFormedText(k);
  if (v !== 1 || p !== practiceId || e !== entityType || !keyOk || typeof i !== 'number' || !Number.isSafeInteger(i))
    throw invalid();
  return { key: k as number | string, id: i };
}
