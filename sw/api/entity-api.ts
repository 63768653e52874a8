/**
 * The entity REST surface (see src/protocol/rest.ts), answered from the local replica.
 * Writes are local-first: the record and the queued operation are stored together, the answer
 * comes at once, and the server sees the change through sync.
 * Uses only Request/Response, so it runs in the worker and in Node tests alike.
 */
import {
  AppointmentsQuerySchema,
  describeIssues,
  isEntityType,
  localDayRange,
  parseRestId,
  PetsQuerySchema,
  QUOTA_EXCEEDED_STATUS,
  UsersQuerySchema,
  permissionDenied,
  type EntityId,
  type EntityType,
  type ErrorResponse,
  type SessionUser,
  type SyncErrorCode,
  type WriteAction,
} from '../../src/protocol/index.ts';
import { LocalWriteError } from '../core/write-input.ts';
import type { SyncDb } from '../db/schema.ts';
import { QuotaExceededError } from '../db/tx.ts';
import { createLocal, deleteLocal, updateLocal } from '../store/apply-write.ts';
import { getPublicRecord, listRecords, type ReplicaListFilter } from '../store/reads.ts';

export interface EntityApiDeps {
  db: SyncDb;
  now: () => number;
  uuid: () => string;
  session: () => Promise<SessionUser | null>;
  /** Someone signed out here and nobody signed in since. */
  signedOut: () => Promise<boolean>;
  /**
   * Called after every stored write (registers the Background Sync tag); `closedConflicts` are
   * conflicts the write settled (a held booking deleted before the server ever stored it).
   */
  onWrite: (entityType: EntityType, closedConflicts?: readonly number[]) => void;
}

/** The role table's action for each write method (src/protocol/permissions.ts). */
const WRITE_ACTIONS: Partial<Record<string, WriteAction>> = { POST: 'create', PATCH: 'update', DELETE: 'delete' };

/** The server's status for each refusal of a local write. */
const LOCAL_WRITE_STATUS: Record<LocalWriteError['code'], number> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  HAS_DEPENDENTS: 409,
};

const ENTITY_PATH = /^\/api\/(users|pets|appointments)(?:\/([^/]+))?\/?$/;

export function isEntityPath(pathname: string): boolean {
  return ENTITY_PATH.test(pathname);
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-served-by': 'service-worker',
    },
  });
}

function error(status: number, code: SyncErrorCode, message: string): Response {
  const body: ErrorResponse = { success: false, error: { code, message } };
  return json(status, body);
}

function parseId(raw: string): EntityId | null {
  try {
    return parseRestId(decodeURIComponent(raw));
  } catch {
    return null; // a malformed %-escape
  }
}

function listFilter(entityType: EntityType, params: URLSearchParams): ReplicaListFilter | string {
  const raw = Object.fromEntries(params);
  const includeDeleted = raw.includeDeleted === 'true';
  if (entityType === 'appointments') {
    const q = AppointmentsQuerySchema.safeParse(raw);
    if (!q.success) return describeIssues(q.error.issues);
    let { from, to } = q.data;
    if (q.data.date) {
      // A calendar day in this device's time zone (the practice's wall clock).
      const { start, end } = localDayRange(q.data.date);
      from = start.toISOString();
      to = end.toISOString();
    }
    const equals: Record<string, string> = {};
    for (const key of ['petId', 'clientId', 'practitionerId'] as const) {
      const value = q.data[key];
      if (value) equals[key] = value;
    }
    return {
      ...(from ? { from: new Date(from).toISOString() } : {}),
      ...(to ? { to: new Date(to).toISOString() } : {}),
      equals,
      includeDeleted,
    };
  }
  if (entityType === 'pets') {
    const q = PetsQuerySchema.safeParse(raw);
    if (!q.success) return describeIssues(q.error.issues);
    return { equals: q.data.ownerId ? { ownerId: q.data.ownerId } : {}, includeDeleted };
  }
  const q = UsersQuerySchema.safeParse(raw);
  if (!q.success) return describeIssues(q.error.issues);
  return { equals: q.data.role ? { role: q.data.role } : {}, includeDeleted };
}

async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return {};
  return JSON.parse(text) as unknown;
}

/** Answers an entity request, or returns null when the URL is not part of the entity surface. */
export async function handleEntityRequest(request: Request, deps: EntityApiDeps): Promise<Response | null> {
  const url = new URL(request.url);
  const match = ENTITY_PATH.exec(url.pathname);
  if (!match) return null;
  const entityType = match[1];
  if (entityType === undefined || !isEntityType(entityType)) return null;
  const rawId = match[2];
  const id = rawId === undefined ? null : parseId(rawId);
  if (rawId !== undefined && id === null) return error(400, 'VALIDATION', `"${rawId}" is not a record id`);

  // Signed out: the replica is nobody's to read or change. It may still hold the signed-out
  // user's unsent work, kept for their next sign-in. (A worker never told of a session, on a
  // first visit, reads its empty replica until the page tells it who signed in.)
  const session = await deps.session();
  if (!session && (request.method !== 'GET' || (await deps.signedOut()))) {
    return error(401, 'UNAUTHENTICATED', 'Sign in first: nobody is signed in on this tablet');
  }

  try {
    if (request.method === 'GET') {
      if (id !== null) {
        const record = await getPublicRecord(deps.db, entityType, id);
        return record
          ? json(200, { data: record })
          : error(404, 'NOT_FOUND', `No ${entityType} record with id ${String(id)}`);
      }
      const filter = listFilter(entityType, url.searchParams);
      if (typeof filter === 'string') return error(400, 'VALIDATION', filter);
      return json(200, { data: await listRecords(deps.db, entityType, filter) });
    }

    if (!session) return error(401, 'UNAUTHENTICATED', 'Sign in first: nobody is signed in on this tablet');
    const action = WRITE_ACTIONS[request.method];
    if (!action) return error(405, 'BAD_REQUEST', `${request.method} is not allowed on ${url.pathname}`);
    const denied = permissionDenied(session.role, action, entityType);
    if (denied) return error(403, 'FORBIDDEN', denied);
    const ctx = {
      session: { userId: session.id, practiceId: session.practiceId, tenantId: session.tenantId },
      now: deps.now(),
      uuid: deps.uuid,
    };

    let body: unknown = null;
    if (request.method === 'POST' || request.method === 'PATCH') {
      try {
        body = await readJsonBody(request);
      } catch {
        return error(400, 'BAD_REQUEST', 'Malformed JSON body');
      }
    }
    if (request.method === 'POST' && id === null) {
      const record = await createLocal(deps.db, entityType, body, ctx);
      deps.onWrite(entityType);
      return json(201, { data: record });
    }
    if (request.method === 'PATCH' && id !== null) {
      const record = await updateLocal(deps.db, entityType, id, body, ctx);
      deps.onWrite(entityType);
      return json(200, { data: record });
    }
    if (request.method === 'DELETE' && id !== null) {
      const { record, closedConflicts } = await deleteLocal(deps.db, entityType, id, ctx);
      deps.onWrite(entityType, closedConflicts);
      return json(200, { data: record });
    }
    return error(405, 'BAD_REQUEST', `${request.method} is not allowed on ${url.pathname}`);
  } catch (err) {
    if (err instanceof LocalWriteError) return error(LOCAL_WRITE_STATUS[err.code], err.code, err.message);
    if (err instanceof QuotaExceededError) return error(QUOTA_EXCEEDED_STATUS, 'QUOTA_EXCEEDED', err.message);
    return error(500, 'INTERNAL', `The offline store failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
