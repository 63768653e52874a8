/**
 * The plain REST surface of `src/protocol/rest.ts`, for pages no worker controls and for
 * replayed request queues. Writes are PushOperations through the same applier as push, so the
 * rules (validation, temp ids, clientId, conflicts, tenancy) are the same; an `Idempotency-Key`
 * header is the opId, so a replayed request applies once.
 *
 *   GET    /api/appointments?date=YYYY-MM-DD | from=ISO&to=ISO [&petId=&clientId=&practitionerId=]
 *   GET    /api/pets[?ownerId=]     GET /api/users[?role=]     (&includeDeleted=true)
 *   GET    /api/{entity}/{id}       id: real or temp id; 404 when unknown or deleted
 *   POST   /api/{entity}            writable fields (+ optional tempId) → 201 { data }
 *   PATCH  /api/{entity}/{id}       changed fields (+ optional version) → 200 { data } | 409
 *   DELETE /api/{entity}/{id}[?version=N]                               → 200 { data } | 409
 */
import { randomUUID } from 'node:crypto';
import {
  AppointmentsQuerySchema,
  ENTITY_TYPES,
  PetsQuerySchema,
  UsersQuerySchema,
  isTempId,
  type EntityType,
  type PushOperation,
  type PushResult,
  type SessionUser,
  type SyncErrorCode,
} from '../../src/protocol/index.ts';
import { HttpError, readJson, sendError, sendJson } from '../http/respond.ts';
import type { RequestContext, Router } from '../http/router.ts';
import type { Services } from '../services.ts';
import type { ListFilter } from '../store/entities.ts';
import { describeIssues } from '../sync/errors.ts';
import { actorOf, requireUser } from './session.ts';

const BODY_LIMIT = 256 * 1024;

const STATUS: Partial<Record<SyncErrorCode, number>> = {
  VALIDATION: 400,
  PET_NOT_FOUND: 400,
  REFERENCE_NOT_FOUND: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  INTERNAL: 500,
};

/** `123` → 123, `temp_...` → itself, anything else → null. */
function parseId(text: string): number | string | null {
  if (/^[1-9]\d{0,15}$/.test(text)) return Number(text);
  return isTempId(text) && /^temp_[A-Za-z0-9_-]{1,100}$/.test(text) ? text : null;
}

function idempotencyKey(ctx: RequestContext): string | undefined {
  const key = ctx.req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length < 8 || key.length > 100) {
    throw new HttpError(400, 'BAD_REQUEST', 'Idempotency-Key must be 8 to 100 characters');
  }
  return key;
}

async function readObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const body = await readJson(ctx.req, BODY_LIMIT);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'VALIDATION', 'Expected a JSON object');
  return body as Record<string, unknown>;
}

function respond(ctx: RequestContext, result: PushResult, okStatus: number): void {
  if (result.success) return sendJson(ctx.res, okStatus, { data: result.record });
  if (result.conflict) {
    return sendJson(ctx.res, 409, {
      success: false,
      error: { code: 'CONFLICT', message: `The record changed on the server: ${result.conflictData?.affectedFields.join(', ') || 'deleted'}` },
      conflictData: result.conflictData,
      data: result.record,
    });
  }
  const error = result.error ?? { code: 'INTERNAL' as const, message: 'Failed' };
  sendError(ctx.res, STATUS[error.code] ?? 400, error.code, error.message);
}

export function addRestRoutes(router: Router, services: Services): void {
  for (const entityType of ENTITY_TYPES) {
    const base = `/api/${entityType}`;
    router.add('GET', base, (ctx) => list(ctx, entityType));
    router.add('GET', `${base}/:id`, (ctx) => getOne(ctx, entityType));
    router.add('POST', base, (ctx) => create(ctx, entityType));
    router.add('PATCH', `${base}/:id`, (ctx) => update(ctx, entityType));
    router.add('DELETE', `${base}/:id`, (ctx) => remove(ctx, entityType));
  }

  /** A filter id (real or temp) → real id; undefined when a temp id is unknown (matches nothing). */
  function filterId(practiceId: number, target: EntityType, text: string, name: string): number | undefined {
    const id = parseId(text);
    if (id === null) throw new HttpError(400, 'VALIDATION', `${name}: "${text}" is not a record id`);
    return typeof id === 'number' ? id : services.log.findTempId(practiceId, target, id);
  }

  /** Id filters (real or temp ids) → real ids; null when a temp id is unknown (the list is empty). */
  function resolveIds(practiceId: number, values: Record<string, unknown>, fields: [string, EntityType][]): Record<string, number> | null {
    const out: Record<string, number> = {};
    for (const [field, target] of fields) {
      const text = values[field];
      if (typeof text !== 'string') continue;
      const id = filterId(practiceId, target, text, field);
      if (id === undefined) return null;
      out[field] = id;
    }
    return out;
  }

  function listFilter(practiceId: number, entityType: EntityType, params: Record<string, string>): ListFilter | null {
    const invalid = (issues: Parameters<typeof describeIssues>[0]) => new HttpError(400, 'VALIDATION', `Invalid query: ${describeIssues(issues)}`);
    const includeDeleted = params.includeDeleted === 'true';
    if (entityType === 'appointments') {
      const q = AppointmentsQuerySchema.safeParse(params);
      if (!q.success) throw invalid(q.error.issues);
      const equals = resolveIds(practiceId, q.data, [['petId', 'pets'], ['clientId', 'users'], ['practitionerId', 'users']]);
      if (!equals) return null;
      const filter: ListFilter = { equals, includeDeleted };
      if (q.data.from) filter.from = Date.parse(q.data.from);
      if (q.data.to) filter.to = Date.parse(q.data.to);
      if (q.data.date) {
        // A calendar day on the server's clock, as the worker does on the device's.
        const start = new Date(`${q.data.date}T00:00:00`);
        const end = new Date(start);
        end.setDate(end.getDate() + 1);
        filter.from = start.getTime();
        filter.to = end.getTime();
      }
      return filter;
    }
    if (entityType === 'pets') {
      const q = PetsQuerySchema.safeParse(params);
      if (!q.success) throw invalid(q.error.issues);
      const equals = resolveIds(practiceId, q.data, [['ownerId', 'users']]);
      return equals && { equals, includeDeleted };
    }
    const q = UsersQuerySchema.safeParse(params);
    if (!q.success) throw invalid(q.error.issues);
    return { equals: q.data.role ? { role: q.data.role } : {}, includeDeleted };
  }

  function list(ctx: RequestContext, entityType: EntityType): void {
    const user = requireUser(services, ctx.req);
    const filter = listFilter(user.practiceId, entityType, Object.fromEntries(ctx.url.searchParams));
    sendJson(ctx.res, 200, { data: filter ? services.models[entityType].list(user.practiceId, filter) : [] });
  }

  function getOne(ctx: RequestContext, entityType: EntityType): void {
    const user = requireUser(services, ctx.req);
    const id = filterId(user.practiceId, entityType, ctx.params.id ?? '', 'id');
    const record = id === undefined ? undefined : services.models[entityType].find(user.practiceId, id);
    if (!record || record.deletedAt !== null) return sendError(ctx.res, 404, 'NOT_FOUND', `No ${entityType} record with id ${ctx.params.id}`);
    sendJson(ctx.res, 200, { data: record });
  }

  function write(ctx: RequestContext, user: SessionUser, op: Omit<PushOperation, 'opId' | 'timestamp'>, okStatus: number): void {
    const key = idempotencyKey(ctx);
    const now = services.now();
    const result = services.applier.apply(actorOf(user), { ...op, opId: key ?? randomUUID(), timestamp: now }, now, { remember: key !== undefined });
    respond(ctx, result, okStatus);
  }

  function pathId(ctx: RequestContext): number | string {
    const id = parseId(ctx.params.id ?? '');
    if (id === null) throw new HttpError(400, 'VALIDATION', `"${ctx.params.id}" is not a record id`);
    return id;
  }

  function versionOf(value: unknown): number | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const version = typeof value === 'string' ? Number(value) : value;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) throw new HttpError(400, 'VALIDATION', 'version must be a whole number');
    return version;
  }

  async function create(ctx: RequestContext, entityType: EntityType): Promise<void> {
    const user = requireUser(services, ctx.req);
    const { tempId, id, ...data } = await readObject(ctx);
    const temp = typeof tempId === 'string' ? tempId : isTempId(id) ? id : undefined;
    if (temp !== undefined && parseId(temp) === null) throw new HttpError(400, 'VALIDATION', `"${temp}" is not a temp id`);
    write(ctx, user, { operation: 'create', entityType, data, ...(temp !== undefined ? { tempId: temp } : {}) }, 201);
  }

  async function update(ctx: RequestContext, entityType: EntityType): Promise<void> {
    const user = requireUser(services, ctx.req);
    const entityId = pathId(ctx);
    const { version, ...data } = await readObject(ctx);
    const base = versionOf(version);
    write(ctx, user, { operation: 'update', entityType, entityId, data, ...(base !== undefined ? { version: base } : {}) }, 200);
  }

  function remove(ctx: RequestContext, entityType: EntityType): void {
    const user = requireUser(services, ctx.req);
    const entityId = pathId(ctx);
    const base = versionOf(ctx.url.searchParams.get('version') ?? undefined);
    write(ctx, user, { operation: 'delete', entityType, entityId, ...(base !== undefined ? { version: base } : {}) }, 200);
  }
}
