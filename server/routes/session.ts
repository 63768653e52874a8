/** The session cookie (@fastify/cookie) and "who is calling": every /api/sync/* and entity route needs a user. */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { SessionUser } from '../../src/protocol/index.ts';
import { SESSION_TTL_MS } from '../auth/sessions.ts';
import { HttpError } from '../http/errors.ts';
import type { Services } from '../services.ts';
import type { Actor } from '../sync/apply.ts';

export const SESSION_COOKIE = 'smartdmv_session';

export function sessionToken(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE];
}

export async function currentUser(services: Services, request: FastifyRequest): Promise<SessionUser | null> {
  const token = sessionToken(request);
  return token ? services.sessions.find(token, services.now()) : null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, on routes that `authenticate`. */
    user: SessionUser | null;
  }
}

/**
 * A route's first hook: 401 without a valid session, before the body is even read (an
 * anonymous client cannot make the server parse a 5 MB push).
 */
export function authenticate(services: Services): onRequestAsyncHookHandler {
  return async (request) => {
    const user = await currentUser(services, request);
    if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in first: no valid session');
    request.user = user;
  };
}

/** The user `authenticate` found (a route without that hook has none: a bug). */
export function signedIn(request: FastifyRequest): SessionUser {
  if (!request.user) throw new Error(`${request.routeOptions.url} has no authenticate hook`);
  return request.user;
}

export function actorOf(user: SessionUser): Actor {
  return { userId: user.id, role: user.role, practiceId: user.practiceId, tenantId: user.tenantId };
}

/**
 * HttpOnly, SameSite=Strict, Path=/; Secure when the request came over HTTPS. `request.protocol`
 * believes `X-Forwarded-Proto` only from a proxy TRUST_PROXY names (Fastify's trustProxy).
 */
function cookieOptions(request: FastifyRequest, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    maxAge: maxAgeSeconds,
    secure: request.protocol === 'https',
  };
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, cookieOptions(request, Math.floor(SESSION_TTL_MS / 1000)));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.setCookie(SESSION_COOKIE, '', cookieOptions(request, 0));
}
