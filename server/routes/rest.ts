/**
 * The plain REST surface of `src/protocol/rest.ts`, for pages no worker controls and for
 * replayed request queues. Writes are PushOperations through the same applier as push, so the
 * rules (validation, roles, temp ids, clientId, conflicts, delete rules, tenancy) are the same;
 * an `Idempotency-Key` header is the opId, so a replayed request applies once.
 *
 *   GET    /api/appointments?date=YYYY-MM-DD | from=ISO&to=ISO [&petId=&clientId=&practitionerId=]
 *   GET    /api/pets[?ownerId=]     GET /api/users[?role=]     (&includeDeleted=true)
 *          lists: &limit= (default 200, max 1000) &cursor= → { data, nextCursor }
 *   GET    /api/{entity}/{id}       id: real or temp id; 404 when unknown or deleted
 *   POST   /api/{entity}            writable fields (+ optional tempId) → 201 { data } | 409 DOUBLE_BOOKING
 *   PATCH  /api/{entity}/{id}       changed fields (+ optional version) → 200 { data } | 409 (CONFLICT, DOUBLE_BOOKING)
 *   DELETE /api/{entity}/{id}[?version=N]                               → 200 { data } | 409
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AppointmentsQuerySchema,
  DEFAULT_LIST_LIMIT,
  ENTITY_TYPES,
  PetsQuerySchema,
  UsersQuerySchema,
  isTempId,
  localDayRange,
  parseRestId,
  type EntityType,
  type PushOperation,
  type PushResult,
  type SessionUser,
  type SyncErrorCode,
} from '../../src/protocol/index.ts';
import { HttpError, sendError } from '../http/errors.ts';
import { describeJsonProblem, jsonProblem } from '../http/json-body.ts';
import type { ApiApp } from '../http/zod.ts';
import type { Services } from '../services.ts';
import type { ListFilter, PageRequest } from '../store/entities.ts';
import { doubleBookingMessage } from '../sync/double-booking.ts';
import { decodeListCursor, encodeListCursor } from './list-cursor.ts';
import { actorOf, authenticate, signedIn } from './session.ts';

const BODY_LIMIT = 256 * 1024;

const STATUS: Partial<Record<SyncErrorCode, number>> = {
  VALIDATION: 400,
  PET_NOT_FOUND: 400,
  REFERENCE_NOT_FOUND: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  HAS_DEPENDENTS: 409,
  INTERNAL: 500,
};

const QUERY_SCHEMAS = {
  appointments: AppointmentsQuerySchema,
  pets: PetsQuerySchema,
  users: UsersQuerySchema,
} as const;
const IdParams = z.object({ id: z.string().max(120) });
const DeleteQuery = z.object({ version: z.string().max(20).optional() });
const AnyObject = z.record(z.string(), z.unknown(), { error: 'Expected a JSON object' });

function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length < 8 || key.length > 100) {
    throw new HttpError(400, 'BAD_REQUEST', 'Idempotency-Key must be 8 to 100 characters');
  }
  return key;
}

/** A write's JSON body: an object, not nested too deep, no lone surrogates anywhere. */
function bodyObject(request: FastifyRequest, body: Record<string, unknown>): Record<string, unknown> {
  const problem = jsonProblem(request, body);
  if (problem) throw new HttpError(400, 'VALIDATION', `Invalid body: ${describeJsonProblem(problem)}`);
  return body;
}

function respond(reply: FastifyReply, result: PushResult, okStatus: number): FastifyReply {
  if (result.success) return reply.code(okStatus).send({ data: result.record });
  const conflictData = result.conflictData;
  if (result.conflict && conflictData) {
    const error =
      conflictData.conflictType === 'double_booking'
        ? { code: 'DOUBLE_BOOKING' as const, message: doubleBookingMessage(conflictData.clashes ?? []) }
        : {
            code: 'CONFLICT' as const,
            message: `The record changed on the server: ${conflictData.affectedFields.join(', ') || 'deleted'}`,
          };
    // `data`: the server's record (none for a create held back as a double booking).
    return reply.code(409).send({ success: false, error, conflictData, data: result.record ?? null });
  }
  const error = result.error ?? { code: 'INTERNAL' as const, message: 'Failed' };
  return sendError(reply, STATUS[error.code] ?? 400, error.code, error.message);
}

export function addRestRoutes(app: ApiApp, services: Services): void {
  const onRequest = authenticate(services);
  const validation = { code: 'VALIDATION' as const, prefix: 'Invalid query' };

  /** A filter id (real or temp) → real id; undefined when a temp id is unknown (matches nothing). */
  async function filterId(
    practiceId: number,
    target: EntityType,
    text: string,
    name: string,
  ): Promise<number | undefined> {
    const id = parseRestId(text);
    if (id === null) throw new HttpError(400, 'VALIDATION', `${name}: "${text}" is not a record id`);
    return typeof id === 'number' ? id : services.log.findTempId(practiceId, target, id);
  }

  /** Id filters (real or temp ids) → real ids; null when a temp id is unknown (the list is empty). */
  async function resolveIds(
    practiceId: number,
    values: Record<string, unknown>,
    fields: [string, EntityType][],
  ): Promise<Record<string, number> | null> {
    const out: Record<string, number> = {};
    for (const [field, target] of fields) {
      const text = values[field];
      if (typeof text !== 'string') continue;
      const id = await filterId(practiceId, target, text, field);
      if (id === undefined) return null;
      out[field] = id;
    }
    return out;
  }

  async function listFilter(
    practiceId: number,
    entityType: EntityType,
    query: Record<string, unknown>,
  ): Promise<ListFilter | null> {
    const includeDeleted = query.includeDeleted === 'true';
    if (entityType === 'appointments') {
      const q = query as z.output<typeof AppointmentsQuerySchema>;
      const equals = await resolveIds(practiceId, q, [
        ['petId', 'pets'],
        ['clientId', 'users'],
        ['practitionerId', 'users'],
      ]);
      if (!equals) return null;
      const filter: ListFilter = { equals, includeDeleted };
      if (q.from) filter.from = Date.parse(q.from);
      if (q.to) filter.to = Date.parse(q.to);
      if (q.date) {
        // A calendar day on the server's clock, as the worker does on the device's.
        const { start, end } = localDayRange(q.date);
        filter.from = start.getTime();
        filter.to = end.getTime();
      }
      return filter;
    }
    if (entityType === 'pets') {
      const equals = await resolveIds(practiceId, query, [['ownerId', 'users']]);
      return equals && { equals, includeDeleted };
    }
    const role = (query as z.output<typeof UsersQuerySchema>).role;
    return { equals: role ? { role } : {}, includeDeleted };
  }

  function versionOf(value: unknown): number | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const version = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 0)
      throw new HttpError(400, 'VALIDATION', 'version must be a whole number');
    return version;
  }

  function pathId(text: string): number | string {
    const id = parseRestId(text);
    if (id === null) throw new HttpError(400, 'VALIDATION', `"${text}" is not a record id`);
    return id;
  }

  async function write(
    request: FastifyRequest,
    reply: FastifyReply,
    user: SessionUser,
    op: Omit<PushOperation, 'opId' | 'timestamp'>,
    okStatus: number,
  ) {
    const key = idempotencyKey(request);
    const now = services.now();
    const result = await services.applier.apply(
      actorOf(user),
      { ...op, opId: key ?? randomUUID(), timestamp: now },
      now,
      { remember: key !== undefined },
    );
    return respond(reply, result, okStatus);
  }

  for (const entityType of ENTITY_TYPES) {
    const base = `/api/${entityType}`;

    app.get(
      base,
      { onRequest, schema: { querystring: QUERY_SCHEMAS[entityType] }, config: { validation } },
      async (request) => {
        const user = signedIn(request);
        const query = request.query as Record<string, unknown> & { limit?: number; cursor?: string };
        const page: PageRequest = { limit: query.limit ?? DEFAULT_LIST_LIMIT };
        if (query.cursor) page.after = decodeListCursor(query.cursor, user.practiceId, entityType);
        // One snapshot for the temp-id look-ups and the page.
        const found = await services.db.read(async () => {
          const filter = await listFilter(user.practiceId, entityType, query);
          return filter && (await services.models[entityType].list(user.practiceId, filter, page));
        });
        if (!found) return { data: [], nextCursor: null };
        const { records, next } = found;
        return { data: records, nextCursor: next ? encodeListCursor(user.practiceId, entityType, next) : null };
      },
    );

    app.get(
      `${base}/:id`,
      { onRequest, schema: { params: IdParams }, config: { validation } },
      async (request, reply) => {
        const user = signedIn(request);
        const record = await services.db.read(async () => {
          const id = await filterId(user.practiceId, entityType, request.params.id, 'id');
          return id === undefined ? undefined : services.models[entityType].find(user.practiceId, id);
        });
        if (!record || record.deletedAt !== null)
          return sendError(reply, 404, 'NOT_FOUND', `No ${entityType} record with id ${request.params.id}`);
        return { data: record };
      },
    );

    app.post(
      base,
      { onRequest, bodyLimit: BODY_LIMIT, schema: { body: AnyObject }, config: { validation } },
      async (request, reply) => {
        const user = signedIn(request);
        const { tempId, id, ...data } = bodyObject(request, request.body);
        const temp = typeof tempId === 'string' ? tempId : isTempId(id) ? id : undefined;
        if (temp !== undefined && parseRestId(temp) === null)
          throw new HttpError(400, 'VALIDATION', `"${temp}" is not a temp id`);
        return write(
          request,
          reply,
          user,
          { operation: 'create', entityType, data, ...(temp !== undefined ? { tempId: temp } : {}) },
          201,
        );
      },
    );

    app.patch(
      `${base}/:id`,
      { onRequest, bodyLimit: BODY_LIMIT, schema: { params: IdParams, body: AnyObject }, config: { validation } },
      async (request, reply) => {
        const user = signedIn(request);
        const entityId = pathId(request.params.id);
        const { version, ...data } = bodyObject(request, request.body);
        const baseVersion = versionOf(version);
        return write(
          request,
          reply,
          user,
          {
            operation: 'update',
            entityType,
            entityId,
            data,
            ...(baseVersion !== undefined ? { version: baseVersion } : {}),
          },
          200,
        );
      },
    );

    app.delete(
      `${base}/:id`,
      { onRequest, schema: { params: IdParams, querystring: DeleteQuery }, config: { validation } },
      async (request, reply) => {
        const user = signedIn(request);
        const entityId = pathId(request.params.id);
        const baseVersion = versionOf(request.query.version);
        return write(
          request,
          reply,
          user,
          { operation: 'delete', entityType, entityId, ...(baseVersion !== undefined ? { version: baseVersion } : {}) },
          200,
        );
      },
    );
  }
}
