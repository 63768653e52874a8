/**
 * The entity REST surface the page calls with plain `fetch('/api/...')`. The service worker answers
 * it from the local replica (online or offline); the server implements the same surface for pages
 * no worker controls yet.
 *
 *   GET    /api/appointments?date=YYYY-MM-DD | ?from=ISO&to=ISO [&petId=][&clientId=][&practitionerId=]
 *   GET    /api/pets[?ownerId=]
 *   GET    /api/users[?role=CLIENT]
 *   GET    /api/{entity}/{id}          id: real id or temp id (a temp id keeps working after sync)
 *   POST   /api/{entity}               body: writable fields        → 201 { data }
 *   PATCH  /api/{entity}/{id}          body: changed fields (+ optional `version`) → 200 { data }
 *   DELETE /api/{entity}/{id}          → 200 { data } (the tombstone)
 *
 * Errors: `ErrorResponse` with status 400 (VALIDATION), 404 (NOT_FOUND), 401, 507 (quota).
 */
import { z } from 'zod';

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
});

export const PetsQuerySchema = z.object({
  ownerId: z.string().optional(),
  includeDeleted: z.enum(['true', 'false']).optional(),
});

export const UsersQuerySchema = z.object({
  role: z.enum(['ADMIN', 'PRACTITIONER', 'STAFF', 'CLIENT']).optional(),
  includeDeleted: z.enum(['true', 'false']).optional(),
});

/** `{ data: T }` for one record, `{ data: T[] }` for a list. */
export interface DataResponse<T> {
  data: T;
}

/** Status used when IndexedDB refuses a write for lack of space. */
export const QUOTA_EXCEEDED_STATUS = 507;
