/** POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me. */
import { LoginRequestSchema } from '../../src/protocol/index.ts';
import { readJson, sendError, sendJson } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import type { Services } from '../services.ts';
import { describeIssues } from '../sync/errors.ts';
import { clearedSessionCookie, currentUser, sessionCookie, sessionToken } from './session.ts';

const LOGIN_BODY_LIMIT = 16 * 1024;

export function addAuthRoutes(router: Router, services: Services): void {
  router.add('POST', '/api/auth/login', async ({ req, res }) => {
    const parsed = LoginRequestSchema.safeParse(await readJson(req, LOGIN_BODY_LIMIT));
    if (!parsed.success) return sendError(res, 400, 'VALIDATION', `Invalid sign-in: ${describeIssues(parsed.error.issues)}`);
    const outcome = await services.auth.login(parsed.data.email, parsed.data.password, services.now());
    if (!outcome) {
      services.logger.info('[Auth]', `sign-in refused for ${parsed.data.email}`);
      return sendError(res, 401, 'UNAUTHENTICATED', 'Wrong email or password');
    }
    services.logger.info('[Auth]', `${outcome.user.email ?? outcome.user.id} signed in (practice ${outcome.user.practiceId})`);
    sendJson(res, 200, { user: outcome.user }, { 'set-cookie': sessionCookie(req, outcome.token) });
  });

  router.add('POST', '/api/auth/logout', ({ req, res }) => {
    const token = sessionToken(req);
    if (token) services.sessions.remove(token);
    sendJson(res, 200, { success: true }, { 'set-cookie': clearedSessionCookie(req) });
  });

  router.add('GET', '/api/auth/me', ({ req, res }) => {
    const user = currentUser(services, req);
    if (!user) return sendError(res, 401, 'UNAUTHENTICATED', 'Not signed in');
    sendJson(res, 200, { user });
  });
}
