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

/**
 * `waitForWorker` runs before answering "signed in" (the screens read the worker's replica) and
 * before asking the worker for its remembered user; "signed out" answers at once, so the sign-in
 * form does not wait for a worker that is still installing.
 */
export async function checkSession(
  services: Pick<AppServices, 'auth' | 'client'>,
  waitForWorker: () => Promise<void> = async () => undefined,
): Promise<SessionCheck> {
  try {
    const user = await services.auth.me();
    if (!user) return { status: 'signed-out', offline: false };
    await waitForWorker();
    return { status: 'signed-in', user, offline: false };
  } catch (error) {
    if (!(error instanceof ApiError && error.isNetwork)) throw error;
    await waitForWorker();
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
