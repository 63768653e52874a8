/**
 * The entity REST surface the page calls with plain `fetch('/api/...')`. The service worker answers
 * it from the local replica (online or offline); the server implements the same surface for pages
 * no worker controls yet.
 *
 *   GET    /api/appointments?date=YYYY-MM-DD | ?from=ISO&to=ISO [&petId=][&clientId=][&practitionerId=]
 *   GET    /api/pets[?ownerId=]
 *   GET    /api/users[?role=CLIENT]
 *          every list also takes `limit` (default 200, max 1000) and `cursor`, and answers
 *          `{ data, nextCursor }`: send `nextCursor` back as `cursor` for the next page (null: no more).
 *          Appointments come in (date, id) order, pets and users in (name, id) order.
 *   GET    /api/{entity}/{id}          id: real id or temp id (a temp id keeps working after sync)
 *   POST   /api/{entity}               body: writable fields        → 201 { data }
 *   PATCH  /api/{entity}/{id}          body: changed fields (+ optional `version`) → 200 { data }
 *   DELETE /api/{entity}/{id}          → 200 { data } (the tombstone)
 *
 * Errors: `ErrorResponse` with status 400 (VALIDATION), 401, 403 (FORBIDDEN: the role may not),
 * 404 (NOT_FOUND), 409 (CONFLICT, HAS_DEPENDENTS), 415 (UNSUPPORTED_MEDIA_TYPE), 429 (RATE_LIMITED),
 * 507 (quota, worker only).
 */
import './zod-config.ts';
import { z } from 'zod';

export const DEFAULT_LIST_LIMIT = 200;
export const MAX_LIST_LIMIT = 1000;

/** Paging of every REST list: at most `limit` records, then `nextCursor` (opaque) for the rest. */
const ListPagingFields = {
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
  cursor: z.string().max(500).optional(),
};

/** Local sync state the worker adds to each record it answers. Absent on server answers. */
export const LocalMetaSchema = z.object({
  /** Not yet acknowledged by the server (a temp id, or queued changes). */
  _pending: z.boolean().optional(),
  /** A conflict on this record waits for a decision. */
  _conflict: z.boolean().optional(),
});
export type LocalMeta = z.infer<typeof LocalMetaSchema>;

export const AppointmentsQuerySchema = z.object({
  date: z.iso.date().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  petId: z.string().optional(),
  clientId: z.string().optional(),
  practitionerId: z.string().optional(),
  includeDeleted: z.enum(['true', 'false']).optional(),
  ...ListPagingFields,
});

export const PetsQuerySchema = z.object({
  ownerId: z.string().optional(),
  includeDeleted: z.enum(['true', 'false']).optional(),
  ...ListPagingFields,
});

export const UsersQuerySchema = z.object({
  role: z.enum(['ADMIN', 'PRACTITIONER', 'STAFF', 'CLIENT']).optional(),
  includeDeleted: z.enum(['true', 'false']).optional(),
  ...ListPagingFields,
});

/** `{ data: T }` for one record. */
export interface DataResponse<T> {
  data: T;
}

/** One page of a list. `nextCursor` is absent (or null) on the last page and in the worker's answers. */
export interface ListResponse<T> {
  data: T[];
  nextCursor?: string | null;
}

/** Status used when IndexedDB refuses a write for lack of space. */
export const QUOTA_EXCEEDED_STATUS = 507;

/**
 * `?date=YYYY-MM-DD` of an appointment list: that calendar day on the clock of whoever answers (the
 * practice's wall clock on a tablet, the server's own), as the half-open range [start, end).
 */
export function localDayRange(date: string): { start: Date; end: Date } {
  const start = new Date(`${date}T00:00:00`);
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return { start, end };
}

/** The first few `path: message` problems of a zod error, for an error answer's message. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
