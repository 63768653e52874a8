/**
 * Checks and normalises the entity data of an operation (pure). The result is in wire form:
 * appointment dates as ISO UTC, durations as text, strings trimmed; only client-writable fields
 * survive (server-owned ones such as id, version, clientId are dropped). References stay as sent
 * (real or temp ids): `references.ts` resolves them.
 *
 * `assertStorable` then checks the output of the conversions against the record schema clients
 * parse pulled records with (ENTITY_SCHEMAS): a value no client could read back (say, a date
 * whose UTC year has six digits) is refused before it is stored, so it can never stop a device's pull.
 * parseCreateData runs it itself; apply.ts runs it on an update's changes once merged. An
 * appointment create already in canonical form (canonical.ts) is taken as it is: nothing in it
 * is converted, and tests/server/canonical.test.ts checks it passes the record schema too.
 */
import type { z } from 'zod';
import {
  CREATE_DEFAULTS,
  ENTITY_SCHEMAS,
  MAX_DURATION_MINUTES,
  WRITABLE_SCHEMAS,
  describeIssues,
  type EntityType,
} from '../../src/protocol/index.ts';
import { iso, type Fields, type Scalar } from '../store/wire.ts';
import { canonicalAppointment } from './canonical.ts';
import { OperationError } from './errors.ts';

const PARTIAL_SCHEMAS = {
  users: WRITABLE_SCHEMAS.users.partial(),
  pets: WRITABLE_SCHEMAS.pets.partial(),
  appointments: WRITABLE_SCHEMAS.appointments.partial(),
};

/**
 * The fields whose stored form is made by a conversion here (normalise), not passed through from
 * the writable schema: their output is checked against the record schema's own field schema.
 * Every other field is stored as the writable schema returned it, which is at least as strict as
 * the record schema (tests/server/integrity.test.ts holds them side by side).
 */
const CONVERTED_FIELDS: Record<EntityType, Record<string, z.ZodType>> = {
  users: {},
  pets: {},
  appointments: {
    date: ENTITY_SCHEMAS.appointments.shape.date,
    durationMinutes: ENTITY_SCHEMAS.appointments.shape.durationMinutes,
  },
};

/** Throws VALIDATION unless every converted field, as it will be stored and sent, passes the record schema. */
export function assertStorable(entityType: EntityType, fields: Fields): void {
  const schemas = CONVERTED_FIELDS[entityType];
  for (const [field, schema] of Object.entries(schemas)) {
    if (!(field in fields)) continue;
    const parsed = schema.safeParse(fields[field]);
    if (!parsed.success) {
      throw new OperationError(
        'VALIDATION',
        `Invalid ${entityType}: ${field}: ${describeIssues(parsed.error.issues)} (as stored: ${JSON.stringify(fields[field])})`,
      );
    }
  }
}

export function parseCreateData(entityType: EntityType, data: Record<string, unknown> | undefined): Fields {
  if (!data) throw new OperationError('VALIDATION', `A create of ${entityType} needs "data"`);
  // Object.assign, not `{ ...defaults, ...data }`: the spread is ~10 µs in Node 20's V8.
  const merged = Object.assign({}, CREATE_DEFAULTS[entityType], data);
  // What a service worker sends is already canonical: taken without zod's work (canonical.ts).
  return (entityType === 'appointments' ? canonicalAppointment(merged) : null) ?? schemaCreateData(entityType, merged);
}

/** A create's fields, the defaults merged in, through the entity's writable schema: normalised, checked storable. */
export function schemaCreateData(entityType: EntityType, merged: Record<string, unknown>): Fields {
  const parsed = WRITABLE_SCHEMAS[entityType].safeParse(merged);
  if (!parsed.success)
    throw new OperationError('VALIDATION', `Invalid ${entityType}: ${describeIssues(parsed.error.issues)}`);
  const fields = normalise(entityType, parsed.data);
  assertStorable(entityType, fields);
  return fields;
}

/** Delta or full record: the fields present are checked; at least one must be writable. */
export function parseUpdateData(entityType: EntityType, data: Record<string, unknown> | undefined): Fields {
  const parsed = PARTIAL_SCHEMAS[entityType].safeParse(data ?? {});
  if (!parsed.success)
    throw new OperationError('VALIDATION', `Invalid ${entityType}: ${describeIssues(parsed.error.issues)}`);
  const fields = normalise(entityType, parsed.data);
  if (Object.keys(fields).length === 0) {
    throw new OperationError('VALIDATION', `An update of ${entityType} needs at least one writable field in "data"`);
  }
  return fields;
}

function normalise(entityType: EntityType, data: Record<string, unknown>): Fields {
  const fields: Fields = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    fields[key] = value as Scalar;
  }
  if (entityType === 'appointments') {
    if (typeof fields.date === 'string') fields.date = iso(Date.parse(fields.date));
    if (fields.durationMinutes !== undefined) fields.durationMinutes = normaliseDuration(fields.durationMinutes);
  }
  return fields;
}

/** 30, "30" and "030" are all stored as "30"; 1 to 1440 minutes. */
function normaliseDuration(value: Scalar): string {
  const minutes = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_DURATION_MINUTES) {
    throw new OperationError('VALIDATION', 'Invalid appointments: durationMinutes: must be 1 to 1440 minutes');
  }
  return String(minutes);
}
