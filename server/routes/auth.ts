/**
 * POST /api/auth/login, POST /api/auth/logout, POST /api/auth/revoke, GET /api/auth/me.
 *
 * Sign-in is limited three ways: failed attempts per account and per client address
 * (auth/throttle.ts: 429 with Retry-After, before any password is hashed), requests per address
 * (@fastify/rate-limit), and concurrent password checks (auth/gate.ts).
 */
import type { FastifyRequest } from 'fastify';
import { LoginRequestSchema, RevokeRequestSchema, type AuthResponse } from '../../src/protocol/index.ts';
import { BusyError } from '../auth/gate.ts';
import { HttpError } from '../http/errors.ts';
import type { ApiApp } from '../http/zod.ts';
import type { Services } from '../services.ts';
import { clearSessionCookie, currentUser, sessionToken, setSessionCookie } from './session.ts';

const LOGIN_BODY_LIMIT = 16 * 1024;

/** Requests per client address per minute (whatever their outcome). */
export const AUTH_REQUESTS_PER_MINUTE = { login: 120, revoke: 60 };

function tooMany(message: string, retryAfterSeconds: number): HttpError {
  return new HttpError(429, 'RATE_LIMITED', message, { 'retry-after': String(retryAfterSeconds) });
}

export function addAuthRoutes(app: ApiApp, services: Services): void {
  const { throttle, logger } = services;
  const address = (request: FastifyRequest) => request.ip;

  app.post(
    '/api/auth/login',
    {
      bodyLimit: LOGIN_BODY_LIMIT,
      schema: { body: LoginRequestSchema },
      config: {
        validation: { code: 'VALIDATION', prefix: 'Invalid sign-in' },
        rateLimit: { max: AUTH_REQUESTS_PER_MINUTE.login, timeWindow: 60_000 },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const now = services.now();
      const ip = address(request);
      const refusal = throttle.begin(email, ip, now);
      if (refusal) {
        logger.warn('[Auth]', `sign-in refused: too many failed attempts for this ${refusal.reason}`, {
          email,
          ip,
          retryAfterSeconds: refusal.retryAfterSeconds,
        });
        throw tooMany('Too many failed sign-ins. Wait a few minutes, then try again.', refusal.retryAfterSeconds);
      }
      let outcome;
      try {
        outcome = await services.auth.login(email, password, now);
      } catch (err) {
        throttle.end(email, ip, 'abandoned', now);
        if (!(err instanceof BusyError)) throw err;
        logger.warn('[Auth]', 'sign-in refused: too many sign-ins at once', { email, ip });
        throw tooMany('The server is busy with other sign-ins. Try again in a moment.', 1);
      }
      throttle.end(email, ip, outcome ? 'succeeded' : 'failed', now);
      if (!outcome) {
        logger.info('[Auth]', 'sign-in refused: wrong email or password', { email, ip });
        throw new HttpError(401, 'UNAUTHENTICATED', 'Wrong email or password');
      }
      logger.info('[Auth]', `user ${outcome.user.id} signed in (practice ${outcome.user.practiceId})`, {
        email: outcome.user.email,
        ip,
      });
      setSessionCookie(request, reply, outcome.session.token);
      const body: AuthResponse = { user: outcome.user, revocationToken: outcome.session.revocationToken };
      return body;
    },
  );

  app.post('/api/auth/logout', async (request, reply) => {
    const token = sessionToken(request);
    if (token) await services.sessions.remove(token);
    clearSessionCookie(request, reply);
    return { success: true };
  });

  // No cookie needed: the token is the proof. The same answer whether or not the session existed.
  app.post(
    '/api/auth/revoke',
    {
      bodyLimit: 4096,
      schema: { body: RevokeRequestSchema },
      config: {
        validation: { code: 'VALIDATION', prefix: 'Invalid revocation' },
        rateLimit: { max: AUTH_REQUESTS_PER_MINUTE.revoke, timeWindow: 60_000 },
      },
    },
    async (request) => {
      if (await services.sessions.revoke(request.body.token))
        logger.info('[Auth]', 'session revoked', { ip: address(request) });
      return { success: true };
    },
  );

  app.get('/api/auth/me', async (request) => {
    const user = await currentUser(services, request);
    if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'Not signed in');
    return { user };
  });
}
