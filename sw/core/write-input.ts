/**
 * Validation and normalisation of the page's writes (pure). The worker answers a write at once
 * with the local record, so the record must already look like what the server will store:
 * dates in UTC ISO form, `durationMinutes` as text, server-owned fields filled locally.
 */
import {
  CREATE_DEFAULTS,
  describeIssues,
  SERVER_OWNED_FIELDS,
  TEMP_ID_KIND,
  WRITABLE_SCHEMAS,
  type EntityType,
} from '../../src/protocol/index.ts';
import type { Row } from './rebase.ts';

export class LocalWriteError extends Error {
  constructor(
    readonly code: 'VALIDATION' | 'NOT_FOUND' | 'HAS_DEPENDENTS',
    message: string,
  ) {
    super(message);
    this.name = 'LocalWriteError';
  }
}

/** Fields a client may send but the server owns or derives: dropped, never an error. */
const IGNORED_INPUT_FIELDS = new Set([...SERVER_OWNED_FIELDS, 'clientId', '_pending', '_conflict']);

function withoutIgnored(body: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(body)) if (!IGNORED_INPUT_FIELDS.has(k)) out[k] = v;
  return out;
}

/** Stored forms: UTC ISO dates, duration as text. */
function normalise(entityType: EntityType, data: Row): Row {
  if (entityType !== 'appointments') return data;
  const out = { ...data };
  if (typeof out.date === 'string') out.date = new Date(out.date).toISOString();
  if (typeof out.durationMinutes === 'number') out.durationMinutes = String(out.durationMinutes);
  return out;
}

export function parseCreateBody(entityType: EntityType, body: unknown): Row {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LocalWriteError('VALIDATION', 'The body must be a JSON object');
  }
  const schema = WRITABLE_SCHEMAS[entityType].strict();
  const parsed = schema.safeParse({ ...CREATE_DEFAULTS[entityType], ...withoutIgnored(body as Row) });
  if (!parsed.success) throw new LocalWriteError('VALIDATION', describeIssues(parsed.error.issues));
  return normalise(entityType, parsed.data);
}

export function parseUpdateBody(entityType: EntityType, body: unknown): Row {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LocalWriteError('VALIDATION', 'The body must be a JSON object');
  }
  const schema = WRITABLE_SCHEMAS[entityType].partial().strict();
  const parsed = schema.safeParse(withoutIgnored(body as Row));
  if (!parsed.success) throw new LocalWriteError('VALIDATION', describeIssues(parsed.error.issues));
  return normalise(entityType, parsed.data);
}

export interface SessionContext {
  userId: number | null;
  practiceId: number;
  tenantId: string;
}

/** A temp id in the reference's shape: `temp_appt_<uuid>`. */
export function makeTempId(entityType: EntityType, uuid: string): string {
  return `temp_${TEMP_ID_KIND[entityType]}_${uuid}`;
}

/** The full local record of a create, with the fields the server would fill. */
export function buildCreatedRecord(
  entityType: EntityType,
  id: string,
  fields: Row,
  session: SessionContext,
  now: number,
): Row {
  const at = new Date(now).toISOString();
  const record: Row = {
    id,
    ...fields,
    practiceId: session.practiceId,
    version: 0,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
  };
  if (entityType === 'users') record.tenantId = session.tenantId;
  if (entityType === 'appointments' && !('clientId' in record)) record.clientId = null;
  return record;
}
