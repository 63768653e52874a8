/** POST /api/sync/push and GET /api/sync/pull over HTTP (the logic is in sync/push.ts and sync/pull.ts). */
import { z } from 'zod';
import {
  MAX_OPERATIONS_PER_PUSH,
  MAX_PUSH_BODY_BYTES,
  PullQuerySchema,
  type PushResult,
} from '../../src/protocol/index.ts';
import { HttpError } from '../http/errors.ts';
import { describeJsonProblem, inspectJson, MAX_JSON_DEPTH } from '../http/json-body.ts';
import type { ApiApp } from '../http/zod.ts';
import type { Services } from '../services.ts';
import { CursorError } from '../sync/cursor.ts';
import { pullChanges } from '../sync/pull.ts';
import { pushOperations } from '../sync/push.ts';
import { actorOf, authenticate, signedIn } from './session.ts';

/** The batch envelope; each operation is checked on its own so one bad one fails only itself. */
const PushEnvelopeSchema = z.object(
  {
    operations: z.array(z.unknown(), { error: '"operations" must be an array' }).superRefine((operations, ctx) => {
      if (operations.length > MAX_OPERATIONS_PER_PUSH) {
        ctx.addIssue({
          code: 'custom',
          message: `At most ${MAX_OPERATIONS_PER_PUSH} operations per push, got ${operations.length}`,
          params: { code: 'TOO_MANY_OPERATIONS' },
        });
      }
    }),
    clientTimestamp: z.number({ error: '"clientTimestamp" must be a number (ms)' }).optional(),
  },
  { error: 'Expected a JSON object { operations: [...], clientTimestamp }' },
);

/** `operations[i]` sits two levels into the body (the object, then the array). */
const OPERATION_ENVELOPE_DEPTH = 2;

function failureSummary(results: readonly PushResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    const code = r.conflict
      ? r.conflictData?.conflictType === 'double_booking'
        ? 'DOUBLE_BOOKING'
        : 'CONFLICT'
      : r.success
        ? null
        : (r.error?.code ?? 'UNKNOWN');
    if (code) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return counts.size === 0 ? '' : ` [${[...counts].map(([c, n]) => `${c}×${n}`).join(', ')}]`;
}

export function addSyncRoutes(app: ApiApp, services: Services): void {
  const onRequest = authenticate(services);
  app.post(
    '/api/sync/push',
    {
      onRequest,
      bodyLimit: MAX_PUSH_BODY_BYTES,
      schema: { body: PushEnvelopeSchema },
      config: { validation: { code: 'BAD_REQUEST', prefix: 'Invalid push' } },
    },
    async (request, reply) => {
      const user = signedIn(request);
      const { operations } = request.body;
      const shape = request.jsonShape;
      // Only when the body's measured shape says some operation could be too deep or hold a lone surrogate.
      const inspect =
        shape && (shape.depth > MAX_JSON_DEPTH + OPERATION_ENVELOPE_DEPTH || shape.surrogateEscapes)
          ? (raw: unknown) => {
              const problem = inspectJson(raw, MAX_JSON_DEPTH, shape.surrogateEscapes);
              return problem && describeJsonProblem(problem);
            }
          : undefined;
      const started = performance.now();
      const response = await pushOperations(services, actorOf(user), operations, services.now(), inspect);
      services.logger.info(
        '[SyncPush]',
        `practice ${user.practiceId} user ${user.id}: ${operations.length} operations → ${response.processed} processed, ` +
          `${response.failed} failed, ${response.conflicts} conflicts in ${(performance.now() - started).toFixed(1)}ms${failureSummary(response.results)}`,
      );
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(response));
    },
  );

  app.get(
    '/api/sync/pull',
    {
      onRequest,
      schema: { querystring: PullQuerySchema.extend({ tenantId: z.string().max(100).optional() }) },
      config: { validation: { code: 'BAD_REQUEST', prefix: 'Invalid pull query' } },
    },
    async (request) => {
      const user = signedIn(request);
      const { tenantId, ...query } = request.query;
      if (query.practiceId !== undefined && query.practiceId !== user.practiceId) {
        throw new HttpError(403, 'FORBIDDEN', `Practice ${query.practiceId} is not yours`);
      }
      if (tenantId !== undefined && tenantId !== user.tenantId)
        throw new HttpError(403, 'FORBIDDEN', 'That tenant is not yours');
      let response;
      try {
        response = await pullChanges(services, user.practiceId, query, services.now());
      } catch (err) {
        if (err instanceof CursorError) throw new HttpError(400, 'BAD_REQUEST', `Invalid cursor: ${err.message}`);
        throw err;
      }
      services.logger.info(
        '[SyncPull]',
        `practice ${user.practiceId} user ${user.id}: ${response.changes.length} changes` +
          `${query.cursor ? ' after cursor' : ` since ${query.lastSyncTimestamp}`}, hasMore ${response.hasMore}`,
      );
      return response;
    },
  );
}
