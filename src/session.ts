/**
 * Who is signed in, decided at start-up. The server is asked first; when it cannot be reached the
 * worker's remembered user lets staff keep working offline (the replica is theirs already).
 */
import { ApiError } from './api/http.ts';
import type { SessionUser } from './protocol/index.ts';
import type { AppServices } from './services.ts';

/**
 * Signing in always needs the server: no password, nor anything derived from one, is kept on the
 * tablet (a verifier there could be attacked offline by whoever holds the tablet). Staff who
 * signed out offline sign in again once the tablet is online; their queued changes wait for them.
 */
export const CONNECT_TO_SIGN_IN = 'Connect to sign in.';

export type SessionCheck =
  { status: 'signed-in'; user: SessionUser; offline: boolean } | { status: 'signed-out'; offline: boolean };

/**
 * Whether this tablet was signed in when last used (kept in localStorage at sign-in and sign-out).
 * Without it, and without a worker that remembers a user, the app shows the sign-in form at once
 * instead of asking the server (whose 401 would also be logged as a console error).
 */
export interface SessionHint {
  get(): boolean;
  set(signedIn: boolean): void;
}

export const SESSION_HINT_KEY = 'SMARTDMV_SIGNED_IN';

export function storageSessionHint(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null): SessionHint {
  return {
    get: () => {
      try {
        return storage?.getItem(SESSION_HINT_KEY) === 'true';
      } catch {
        return true; // unreadable storage: ask the server, as before there was a hint
      }
    },
    set: (signedIn) => {
      try {
        if (signedIn) storage?.setItem(SESSION_HINT_KEY, 'true');
        else storage?.removeItem(SESSION_HINT_KEY);
      } catch {
        // private mode: the server is asked every time
      }
    },
  };
}

/** For tests and pages without storage: always ask the server. */
export const alwaysAskHint: SessionHint = { get: () => true, set: () => undefined };

/**
 * `waitForWorker` runs before answering "signed in" (the screens read the worker's replica) and
 * before asking the worker for its remembered user; "signed out" answers at once, so the sign-in
 * form does not wait for a worker that is still installing.
 */
export async function checkSession(
  services: Pick<AppServices, 'auth' | 'client' | 'sessionHint'>,
  waitForWorker: () => Promise<void> = async () => undefined,
): Promise<SessionCheck> {
  // Never signed in here (or signed out): no need to ask. A worker remembering a user means a
  // session from before the hint existed, or cleared storage: ask then.
  if (!services.sessionHint.get() && !(await rememberedUser(services))) return { status: 'signed-out', offline: false };
  try {
    const user = await services.auth.me();
    if (!user) return { status: 'signed-out', offline: false };
    await waitForWorker();
    return { status: 'signed-in', user, offline: false };
  } catch (error) {
    if (!(error instanceof ApiError && error.isNetwork)) throw error;
    await waitForWorker();
    const remembered = await rememberedUser(services);
    return remembered
      ? { status: 'signed-in', user: remembered, offline: true }
      : { status: 'signed-out', offline: true };
  }
}

export async function rememberedUser(services: Pick<AppServices, 'client'>): Promise<SessionUser | null> {
  try {
    return (await services.client.send({ type: 'GET_STATE' })).user;
  } catch {
    return null;
  }
}

/**
 * Tells the worker about the session unless it already serves this user (avoids a pull per page
 * load). A fresh sign-in's revocation token always goes to the worker.
 */
export async function startWorkerSession(
  services: Pick<AppServices, 'client'>,
  user: SessionUser,
  revocationToken?: string,
): Promise<void> {
  const known = await rememberedUser(services);
  if (!revocationToken && known && known.id === user.id && known.practiceId === user.practiceId) return;
  await services.client.send({ type: 'SESSION_STARTED', user, ...(revocationToken ? { revocationToken } : {}) });
}
