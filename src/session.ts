/**
 * Who is signed in, decided at start-up. The server is asked first; when it cannot be reached the
 * worker's remembered user lets staff keep working offline (the replica is theirs already).
 */
import { ApiError } from './api/http.ts';
import type { SessionUser } from './protocol/index.ts';
import type { AppServices } from './services.ts';

export type SessionCheck =
  | { status: 'signed-in'; user: SessionUser; offline: boolean }
  | { status: 'signed-out'; offline: boolean };

export async function checkSession(services: Pick<AppServices, 'auth' | 'client'>): Promise<SessionCheck> {
  try {
    const user = await services.auth.me();
    return user ? { status: 'signed-in', user, offline: false } : { status: 'signed-out', offline: false };
  } catch (error) {
    if (!(error instanceof ApiError && error.isNetwork)) throw error;
    const remembered = await rememberedUser(services);
    return remembered ? { status: 'signed-in', user: remembered, offline: true } : { status: 'signed-out', offline: true };
  }
}

export async function rememberedUser(services: Pick<AppServices, 'client'>): Promise<SessionUser | null> {
  try {
    return (await services.client.send({ type: 'GET_STATE' })).user;
  } catch {
    return null;
  }
}

/** Tells the worker about the session unless it already serves this user (avoids a pull per page load). */
export async function startWorkerSession(services: Pick<AppServices, 'client'>, user: SessionUser): Promise<void> {
  const known = await rememberedUser(services);
  if (known && known.id === user.id && known.practiceId === user.practiceId) return;
  await services.client.send({ type: 'SESSION_STARTED', user });
}
