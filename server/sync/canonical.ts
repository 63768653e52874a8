/**
 * The push path's quick acceptance of input already in canonical form (pure).
 *
 * A service worker sends operations and appointment data exactly as zod would output them:
 * trimmed text, canonical types, dates from `toISOString()`, whole-minute durations. For such input
 * zod's work (a payload object per field, checks, copies: ~5 µs of the ~45 µs a pushed create
 * costs the server) only confirms what a few comparisons can see. These functions accept that
 * form and nothing else: they answer `null` at the first thing that is not plainly canonical
 * (untrimmed text, an alias spelling, a date with an offset, a duration of "030" minutes, a value of
 * an unexpected type), and the caller runs the zod schema, which stays the one definition of what is
 * valid and the one source of error messages.
 *
 * The limits are read from the zod schemas themselves. tests/server/canonical.test.ts holds
 * every answer to the schema's: whatever these accept, the schema accepts with an equal result.
 */
import {
  APPOINTMENT_STATUSES,
  APPOINTMENT_TYPES,
  MAX_DURATION_MINUTES,
  MAX_YEAR,
  MIN_YEAR,
  OPERATION_KINDS,
  PushOperationSchema,
  TEMP_ID_PATTERN,
  WritableAppointmentSchema,
  isWellFormedText,
  type PushOperation,
} from '../../src/protocol/index.ts';
import { rememberIso, type Fields } from '../store/wire.ts';

/** A string's length limits as its zod schema states them (min/max checks). */
function lengthLimits(schema: { minLength: number | null; maxLength: number | null }): [number, number] {
  return [schema.minLength ?? 0, schema.maxLength ?? Infinity];
}

const OPERATION = PushOperationSchema.shape;
const [OP_ID_MIN, OP_ID_MAX] = lengthLimits(OPERATION.opId);
const [ENTITY_TYPE_MIN, ENTITY_TYPE_MAX] = lengthLimits(OPERATION.entityType);
const APPOINTMENT = WritableAppointmentSchema.shape;
const [TITLE_MIN, TITLE_MAX] = lengthLimits(APPOINTMENT.title);
const [, NOTES_MAX] = lengthLimits(APPOINTMENT.notes.unwrap());

const OPERATIONS: ReadonlySet<unknown> = new Set(OPERATION_KINDS);
const TYPES: ReadonlySet<unknown> = new Set(APPOINTMENT_TYPES);
const STATUSES: ReadonlySet<unknown> = new Set(APPOINTMENT_STATUSES);
/** Minutes as String(n) writes them: no sign, no leading zero. */
const DURATION_TEXT = /^[1-9][0-9]{0,3}$/;

/**
 * Thrown inside this module only, always this one object (made once: the fallback costs no
 * stack trace): the input is not plainly canonical, which is no verdict on its validity.
 */
class NotCanonical extends Error {}
const NOT_CANONICAL = new NotCanonical('not in canonical form');

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

function int(v: unknown): number {
  if (!isInt(v)) throw NOT_CANONICAL;
  return v;
}

/** Any UTF-16 surrogate: a character outside the basic plane. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Text within zod's length limits, which count code points: within them in UTF-16 units too,
 * and, where a character outside the basic plane could bring it under `min` code points, without one.
 */
function text(v: unknown, min: number, max: number): string {
  if (typeof v !== 'string' || v.length < min || v.length > max) throw NOT_CANONICAL;
  if (v.length < 2 * min && SURROGATE.test(v)) throw NOT_CANONICAL;
  return v;
}

function tempId(v: unknown): string {
  if (typeof v !== 'string' || !TEMP_ID_PATTERN.test(v)) throw NOT_CANONICAL;
  return v;
}

/** A real id (positive integer) or a temp id. */
function entityId(v: unknown): number | string {
  return typeof v === 'number' ? (isInt(v) && v > 0 ? v : notCanonical()) : tempId(v);
}

function notCanonical(): never {
  throw NOT_CANONICAL;
}

/**
 * `raw[key]` when the key is absent (undefined: the caller leaves it out), else `read(value)`.
 * A key present with the value undefined is left to zod (JSON never makes one).
 */
function optional<T>(raw: Record<string, unknown>, key: string, read: (v: unknown) => T): T | undefined {
  const v = raw[key];
  if (v !== undefined) return read(v);
  if (key in raw) throw NOT_CANONICAL;
  return undefined;
}

function canonical<T>(read: () => T): T | null {
  try {
    return read();
  } catch (err) {
    if (err === NOT_CANONICAL) return null;
    throw err;
  }
}

/** A push operation as PushOperationSchema outputs it, or null: ask the schema. */
export function canonicalOperation(raw: unknown): PushOperation | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const input = raw as Record<string, unknown>;
  return canonical(() => {
    // Built in the schema's key order, with the keys the input has (as zod leaves absent ones out).
    const op = {} as PushOperation;
    const id = optional(input, 'id', int);
    if (id !== undefined) op.id = id;
    op.opId = text(input.opId, OP_ID_MIN, OP_ID_MAX);
    op.operation = OPERATIONS.has(input.operation) ? (input.operation as PushOperation['operation']) : notCanonical();
    op.entityType = text(input.entityType, ENTITY_TYPE_MIN, ENTITY_TYPE_MAX);
    const target = optional(input, 'entityId', entityId);
    if (target !== undefined) op.entityId = target;
    const temp = optional(input, 'tempId', tempId);
    if (temp !== undefined) op.tempId = temp;
    const data = optional(input, 'data', (v) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : notCanonical(),
    );
    if (data !== undefined) op.data = data;
    const timestamp = int(input.timestamp);
    op.timestamp = timestamp >= 0 ? timestamp : notCanonical();
    const version = optional(input, 'version', int);
    if (version !== undefined) op.version = version >= 0 ? version : notCanonical();
    const userId = optional(input, 'userId', (v) =>
      typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : notCanonical(),
    );
    if (userId !== undefined) op.userId = userId;
    const practiceId = optional(input, 'practiceId', int);
    if (practiceId !== undefined) op.practiceId = practiceId;
    const tenantId = optional(input, 'tenantId', (v) => (typeof v === 'string' ? v : notCanonical()));
    if (tenantId !== undefined) op.tenantId = tenantId;
    return op;
  });
}

/** Text people typed, stored as it is: well-formed, within its limits, already trimmed when `trimmed`. */
function typedText(v: unknown, min: number, max: number, trimmed: boolean): string {
  const value = text(v, min, max);
  if ((trimmed && value.trim() !== value) || !isWellFormedText(value)) throw NOT_CANONICAL;
  return value;
}

/** Where toISOString puts its separators in `YYYY-MM-DDTHH:mm:ss.sssZ`: position, character. */
const ISO_SEPARATORS: readonly (readonly [number, number])[] = [
  [4, 0x2d], // -
  [7, 0x2d], // -
  [10, 0x54], // T
  [13, 0x3a], // :
  [16, 0x3a], // :
  [19, 0x2e], // .
  [23, 0x5a], // Z
];

/** The number written by `count` ASCII digits at `at`. */
function digitsAt(v: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const digit = v.charCodeAt(i) - 0x30;
    if (!(digit >= 0 && digit <= 9)) throw NOT_CANONICAL;
    n = n * 10 + digit;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * A date-time exactly as `toISOString()` writes it (normalising it changes nothing), within the
 * years allowed. Read field by field rather than converted back (a toISOString per create);
 * what it read is remembered as that instant's ISO string, for the record built from the row.
 */
function isoDate(v: unknown): string {
  if (typeof v !== 'string' || v.length !== 24) throw NOT_CANONICAL;
  for (const [at, code] of ISO_SEPARATORS) if (v.charCodeAt(at) !== code) throw NOT_CANONICAL;
  const year = digitsAt(v, 0, 4);
  const month = digitsAt(v, 5, 2);
  const day = digitsAt(v, 8, 2);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    throw NOT_CANONICAL;
  if (digitsAt(v, 11, 2) > 23 || digitsAt(v, 14, 2) > 59 || digitsAt(v, 17, 2) > 59) throw NOT_CANONICAL;
  digitsAt(v, 20, 3);
  rememberIso(Date.parse(v), v);
  return v;
}

/** Whole minutes, 1 to the longest booking, as a number (the reference) or as the text a worker stores ("30"). */
function duration(v: unknown): string {
  const minutes = typeof v === 'string' && DURATION_TEXT.test(v) ? Number(v) : int(v);
  if (minutes < 1 || minutes > MAX_DURATION_MINUTES) throw NOT_CANONICAL;
  return typeof v === 'string' ? v : String(minutes);
}

/**
 * A create's appointment fields, the defaults already merged in, as parseCreateData makes them
 * (WritableAppointmentSchema, then normalised: the duration as text), or null: ask the schema.
 */
export function canonicalAppointment(data: Record<string, unknown>): Fields | null {
  return canonical(() => {
    const fields: Fields = {
      title: typedText(data.title, TITLE_MIN, TITLE_MAX, true),
      type: TYPES.has(data.type) ? (data.type as string) : notCanonical(),
      date: isoDate(data.date),
      durationMinutes: duration(data.durationMinutes),
      status: STATUSES.has(data.status) ? (data.status as string) : notCanonical(),
      notes: data.notes === null ? null : typedText(data.notes, 0, NOTES_MAX, false),
      petId: entityId(data.petId),
      practitionerId: data.practitionerId === null ? null : entityId(data.practitionerId),
      overlapAllowed: typeof data.overlapAllowed === 'boolean' ? data.overlapAllowed : notCanonical(),
    };
    return fields;
  });
}
