/** The session cookie and "who is calling": every /api/sync/* and entity route needs a user. */
import type { IncomingMessage } from 'node:http';
import type { SessionUser } from '../../src/protocol/index.ts';
import { SESSION_TTL_MS } from '../auth/sessions.ts';
import { parseCookies, serializeCookie } from '../http/cookies.ts';
import { HttpError } from '../http/respond.ts';
import type { Services } from '../services.ts';
import type { Actor } from '../sync/apply.ts';

export const SESSION_COOKIE = 'smartdmv_session';

export function sessionToken(req: IncomingMessage): string | undefined {
  return parseCookies(req.headers.cookie).get(SESSION_COOKIE);
}

export function currentUser(services: Services, req: IncomingMessage): SessionUser | null {
  const token = sessionToken(req);
  return token ? services.sessions.find(token, services.now()) : null;
}

export function requireUser(services: Services, req: IncomingMessage): SessionUser {
  const user = currentUser(services, req);
  if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in first: no valid session');
  return user;
}

export function actorOf(user: SessionUser): Actor {
  return { userId: user.id, practiceId: user.practiceId, tenantId: user.tenantId };
}

/** Secure when the request came over HTTPS (directly or through a proxy that says so). */
function isHttps(req: IncomingMessage): boolean {
  return Boolean((req.socket as { encrypted?: boolean }).encrypted) || req.headers['x-forwarded-proto'] === 'https';
}

export function sessionCookie(req: IncomingMessage, token: string): string {
  return serializeCookie(SESSION_COOKIE, token, { maxAgeSeconds: Math.floor(SESSION_TTL_MS / 1000), secure: isHttps(req) });
}

export function clearedSessionCookie(req: IncomingMessage): string {
  return serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: isHttps(req) });
}
