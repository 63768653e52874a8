/** POST /api/sync/push and GET /api/sync/pull over HTTP (the logic is in sync/push.ts and sync/pull.ts). */
import { MAX_OPERATIONS_PER_PUSH, MAX_PUSH_BODY_BYTES, PullQuerySchema, type PushResult } from '../../src/protocol/index.ts';
import { HttpError, readJson, sendJson, sendJsonText } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import type { Services } from '../services.ts';
import { CursorError } from '../sync/cursor.ts';
import { describeIssues } from '../sync/errors.ts';
import { pullChanges } from '../sync/pull.ts';
import { pushOperations, serializePushResponse } from '../sync/push.ts';
import { actorOf, requireUser } from './session.ts';

/** The batch envelope; each operation is checked on its own so one bad one fails only itself. */
function readEnvelope(body: unknown): { operations: unknown[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'BAD_REQUEST', 'Expected a JSON object { operations: [...], clientTimestamp }');
  }
  const { operations, clientTimestamp } = body as Record<string, unknown>;
  if (!Array.isArray(operations)) throw new HttpError(400, 'BAD_REQUEST', '"operations" must be an array');
  if (operations.length > MAX_OPERATIONS_PER_PUSH) {
    throw new HttpError(400, 'TOO_MANY_OPERATIONS', `At most ${MAX_OPERATIONS_PER_PUSH} operations per push, got ${operations.length}`);
  }
  if (clientTimestamp !== undefined && (typeof clientTimestamp !== 'number' || !Number.isFinite(clientTimestamp))) {
    throw new HttpError(400, 'BAD_REQUEST', '"clientTimestamp" must be a number (ms)');
  }
  return { operations };
}

function failureSummary(results: readonly PushResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    const code = r.conflict ? 'CONFLICT' : r.success ? null : (r.error?.code ?? 'UNKNOWN');
    if (code) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return counts.size === 0 ? '' : ` [${[...counts].map(([c, n]) => `${c}×${n}`).join(', ')}]`;
}

export function addSyncRoutes(router: Router, services: Services): void {
  router.add('POST', '/api/sync/push', async ({ req, res }) => {
    const user = requireUser(services, req);
    const { operations } = readEnvelope(await readJson(req, MAX_PUSH_BODY_BYTES));
    const started = performance.now();
    const response = pushOperations(services, actorOf(user), operations, services.now());
    services.logger.info(
      '[SyncPush]',
      `practice ${user.practiceId} user ${user.id}: ${operations.length} operations → ${response.processed} processed, ` +
        `${response.failed} failed, ${response.conflicts} conflicts in ${(performance.now() - started).toFixed(1)}ms${failureSummary(response.results)}`,
    );
    sendJsonText(res, 200, serializePushResponse(response, services.applier.json));
  });

  router.add('GET', '/api/sync/pull', ({ req, res, url }) => {
    const user = requireUser(services, req);
    const raw = Object.fromEntries(url.searchParams);
    const parsed = PullQuerySchema.safeParse(raw);
    if (!parsed.success) throw new HttpError(400, 'BAD_REQUEST', `Invalid pull query: ${describeIssues(parsed.error.issues)}`);
    const query = parsed.data;
    if (query.practiceId !== undefined && query.practiceId !== user.practiceId) {
      throw new HttpError(403, 'FORBIDDEN', `Practice ${query.practiceId} is not yours`);
    }
    if (raw.tenantId !== undefined && raw.tenantId !== user.tenantId) {
      throw new HttpError(403, 'FORBIDDEN', `Tenant ${raw.tenantId} is not yours`);
    }
    let response;
    try {
      response = pullChanges(services, user.practiceId, query, services.now());
    } catch (err) {
      if (err instanceof CursorError) throw new HttpError(400, 'BAD_REQUEST', `Invalid cursor: ${err.message}`);
      throw err;
    }
    services.logger.info(
      '[SyncPull]',
      `practice ${user.practiceId} user ${user.id}: ${response.changes.length} changes` +
        `${query.cursor ? ' after cursor' : ` since ${query.lastSyncTimestamp}`}, hasMore ${response.hasMore}`,
    );
    sendJson(res, 200, response);
  });
}
