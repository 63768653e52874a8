/**
 * Rows in wire form: what push results, pull changes and the REST surface carry. The sync
 * engine compares, diffs and stores fields in this form; only the entity models convert to and
 * from columns (ms integers for times, ISO strings on the wire).
 */
import type { EntityType } from '../../src/protocol/index.ts';

export type Scalar = string | number | boolean | null;
/** Field name → wire value (a subset of a record, e.g. the changed fields of an update). */
export type Fields = Record<string, Scalar>;
/** A whole record as the wire carries it (id, practiceId, version, ISO timestamps, fields). */
export type WireRecord = Fields & { id: number; version: number; updatedAt: string; deletedAt: string | null };

// The two conversions used last, each always a valid pair: asMs answers from them. Two, because
// a create alternates its own date with the batch's time (createdAt and updatedAt are the same
// ms): one slot would miss on both every time.
let recentMs = 0;
let recentIso = new Date(0).toISOString();
let olderMs = 0;
let olderIso = recentIso;

/** Makes (ms, text) the recent pair; the recent one becomes the older. */
function use(ms: number, text: string): string {
  olderMs = recentMs;
  olderIso = recentIso;
  recentMs = ms;
  recentIso = text;
  return text;
}

/**
 * ms → ISO string, remembering the two used last (a pushed date is normalised through here, then
 * stored by asMs and sent back: one conversion, not three; the batch's time is converted once).
 */
export const iso = (ms: number): string => {
  if (ms === recentMs) return recentIso;
  if (ms === olderMs) return use(olderMs, olderIso);
  return use(ms, new Date(ms).toISOString());
};
/**
 * Remembers `text` as the ISO string of `ms` without converting: for a caller that has just
 * checked `text` is exactly what toISOString writes for that instant (sync/canonical.ts). A wrong
 * pair would answer for every later conversion of `ms`, so nothing else may call this.
 */
export function rememberIso(ms: number, text: string): void {
  if (ms !== recentMs) use(ms, text);
}
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** Thrown when a field reaches the database layer in the wrong form: a bug, never bad input. */
export class WireTypeError extends Error {
  constructor(entityType: EntityType, field: string, expected: string, value: unknown) {
    super(`${entityType}.${field}: expected ${expected}, got ${JSON.stringify(value)}`);
    this.name = 'WireTypeError';
  }
}

/** Converters from a wire value to a column value; each checks the form it was promised. */
export type ColumnReader<T> = (value: Scalar, entityType: EntityType, field: string) => T;

export const asText: ColumnReader<string> = (v, t, f) => {
  if (typeof v !== 'string') throw new WireTypeError(t, f, 'text', v);
  return v;
};
export const asTextOrNull: ColumnReader<string | null> = (v, t, f) => (v === null ? null : asText(v, t, f));
export const asInt: ColumnReader<number> = (v, t, f) => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new WireTypeError(t, f, 'an integer', v);
  return v;
};
export const asIntOrNull: ColumnReader<number | null> = (v, t, f) => (v === null ? null : asInt(v, t, f));
/** A boolean → 0 or 1 (SQLite has no boolean type). */
export const asFlag: ColumnReader<number> = (v, t, f) => {
  if (typeof v !== 'boolean') throw new WireTypeError(t, f, 'true or false', v);
  return v ? 1 : 0;
};
/** An ISO date-time (already normalised to UTC) → ms. */
export const asMs: ColumnReader<number> = (v, t, f) => {
  if (v === recentIso) return recentMs;
  if (v === olderIso) return olderMs;
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new WireTypeError(t, f, 'an ISO date-time', v);
  return ms;
};

/**
 * Maps wire fields to columns with one reader per column; fields without a reader (server-owned
 * or unknown) are dropped.
 */
export function toColumns<T extends object>(
  entityType: EntityType,
  fields: Fields,
  readers: { [K in keyof T]?: ColumnReader<T[K]> },
): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(fields)) {
    const reader = readers[key as keyof T];
    if (reader) out[key as keyof T] = reader(fields[key] as Scalar, entityType, key);
  }
  return out;
}
