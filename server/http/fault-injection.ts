/**
 * Fault modes for the fault suite (tests only). Registered only when the server starts with
 * `FAULT_INJECTION=1`; without it none of this exists, not even the route.
 *
 * A test arms faults with `POST /api/test/faults { rules: [...] }`. The rules belong to the session
 * cookie of that request and fire only on requests carrying the same cookie, so tests running at
 * the same time against one server (each browser context signs in on its own) never see each
 * other's faults. Each rule fires on the next `times` requests of its route:
 *
 * - `status`: answered at once (before any handler, nothing applied) with `status` (500 or 503),
 *   and `Retry-After: retryAfterSeconds` when given.
 * - `drop_after_commit`: the handler runs and commits, then the connection is destroyed instead of
 *   the answer: the device never learns that its push was applied.
 * - `drop`: the connection is destroyed before the handler runs (a network failure, nothing applied).
 * - `delay`: the request waits `delayMs` first, then runs normally (a very slow server).
 *
 * `GET /api/test/faults` tells how many faults of each kind fired for the caller's session;
 * `DELETE /api/test/faults` disarms them.
 */
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiApp } from './zod.ts';
import { errorBody } from './errors.ts';
import { SESSION_COOKIE } from '../routes/session.ts';

const FaultRuleSchema = z.object({
  route: z.enum(['push', 'pull', 'any']),
  fault: z.enum(['status', 'drop_after_commit', 'drop', 'delay']),
  times: z.number().int().min(1).max(10_000),
  status: z.union([z.literal(500), z.literal(502), z.literal(503)]).optional(),
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  delayMs: z.number().int().min(0).max(120_000).optional(),
});
const ArmSchema = z.object({ rules: z.array(FaultRuleSchema).min(1).max(20) });
type FaultRule = z.infer<typeof FaultRuleSchema>;
type Fault = FaultRule['fault'];

const ROUTES: Record<FaultRule['route'], (path: string) => boolean> = {
  push: (path) => path === '/api/sync/push',
  pull: (path) => path === '/api/sync/pull',
  any: (path) =>
    path.startsWith('/api/') &&
    !path.startsWith('/api/test/') &&
    !path.startsWith('/api/auth/') &&
    path !== '/api/health',
};

interface SessionFaults {
  rules: (FaultRule & { left: number })[];
  fired: Record<Fault, number>;
}

const DROP_AFTER_COMMIT = Symbol('dropAfterCommit');

/**
 * Cuts the connection in the middle of an answer: headers promising a body, the first bytes of it,
 * then the end. (Cut before any byte, Chromium silently resends the request on a reused
 * keep-alive connection, and the page never sees the fault; cut inside the status line, it makes
 * up a response from the bytes it got.)
 */
function cutConnection(request: FastifyRequest): void {
  const socket = request.raw.socket;
  socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"success":tr', () =>
    socket.destroy(),
  );
}

export function registerFaultInjection(app: ApiApp): void {
  const bySession = new Map<string, SessionFaults>();
  const sessionOf = (request: FastifyRequest): string | undefined => request.cookies[SESSION_COOKIE] || undefined;

  app.addHook('onRequest', async (request, reply) => {
    const session = sessionOf(request);
    const faults = session ? bySession.get(session) : undefined;
    if (!faults) return;
    const path = request.url.split('?')[0] ?? '';
    const rule = faults.rules.find((r) => r.left > 0 && ROUTES[r.route](path));
    if (!rule) return;
    rule.left--;
    faults.fired[rule.fault]++;
    switch (rule.fault) {
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 0));
        return;
      case 'drop':
        cutConnection(request);
        return reply.hijack();
      case 'drop_after_commit':
        (request as FastifyRequest & { [DROP_AFTER_COMMIT]?: true })[DROP_AFTER_COMMIT] = true;
        return;
      case 'status': {
        if (rule.retryAfterSeconds !== undefined) reply.header('retry-after', String(rule.retryAfterSeconds));
        const status = rule.status ?? 503;
        return reply.code(status).send(errorBody('SERVER_ERROR', `Injected fault: ${status}`));
      }
    }
  });
  // After the handler committed: the answer goes nowhere.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if ((request as FastifyRequest & { [DROP_AFTER_COMMIT]?: true })[DROP_AFTER_COMMIT]) {
      cutConnection(request);
      reply.hijack();
    }
    return payload;
  });

  app.post('/api/test/faults', { schema: { body: ArmSchema } }, async (request, reply) => {
    const session = sessionOf(request);
    if (!session)
      return reply.code(401).send(errorBody('UNAUTHENTICATED', 'Sign in first: faults belong to a session'));
    const faults = bySession.get(session) ?? {
      rules: [],
      fired: { status: 0, drop_after_commit: 0, drop: 0, delay: 0 },
    };
    faults.rules.push(...request.body.rules.map((r) => ({ ...r, left: r.times })));
    bySession.set(session, faults);
    return { armed: faults.rules.filter((r) => r.left > 0).length };
  });
  app.get('/api/test/faults', async (request) => {
    const faults = bySession.get(sessionOf(request) ?? '');
    return {
      fired: faults?.fired ?? { status: 0, drop_after_commit: 0, drop: 0, delay: 0 },
      left: faults?.rules.reduce((n, r) => n + r.left, 0) ?? 0,
    };
  });
  app.delete('/api/test/faults', async (request) => {
    bySession.delete(sessionOf(request) ?? '');
    return { armed: 0 };
  });
}
