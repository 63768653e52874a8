/**
 * Sign-in: email + password → session. Clients (no password) cannot sign in. Password checks go
 * through a gate (gate.ts): at most one scrypt at a time, a short queue, then BusyError.
 */
import type { SessionUser } from '../../src/protocol/index.ts';
import type { Database } from '../db/engine.ts';
import { createGate, type Gate } from './gate.ts';
import { dummyHash, verifyPassword } from './password.ts';
import {
  ACCOUNT_COLUMNS,
  maySignIn,
  sessionUserOf,
  type AccountRow,
  type NewSession,
  type SessionStore,
} from './sessions.ts';

/** scrypt (N=16384) takes ~50 ms of one core: one at a time leaves the other core and the thread pool free. */
export const CONCURRENT_PASSWORD_CHECKS = 1;
export const WAITING_PASSWORD_CHECKS = 16;

export interface Authenticator {
  /**
   * The user and a new session, or null for wrong credentials (whatever was wrong).
   * Throws BusyError when too many sign-ins are already waiting for a password check.
   */
  login(email: string, password: string, now: number): Promise<{ user: SessionUser; session: NewSession } | null>;
}

export function createAuthenticator(
  db: Database,
  sessions: SessionStore,
  gate: Gate = createGate(CONCURRENT_PASSWORD_CHECKS, WAITING_PASSWORD_CHECKS),
): Authenticator {
  // Emails compare case-insensitively, as the unique index of each engine does (NOCASE; lower()).
  const sameEmail = db.dialect === 'sqlite' ? 'u.email = @email COLLATE NOCASE' : 'lower(u.email) = lower(@email)';
  const byEmail = db.prepare<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE ${sameEmail} AND u.password_hash IS NOT NULL AND u.deleted_at IS NULL`,
  );
  void dummyHash();

  return {
    async login(email, password, now) {
      // No account has a NUL in its email (and PostgreSQL cannot even compare one): no look-up.
      const row = email.includes('\u0000') ? undefined : await db.direct(() => byEmail.get({ email: email.trim() }));
      const account = row !== undefined && maySignIn(row) ? row : undefined;
      // An unknown email costs the same scrypt as a wrong password (no timing oracle).
      const stored = account ? account.passwordHash : await dummyHash();
      const ok = await gate.run(() => verifyPassword(password, stored));
      if (!ok || !account) return null;
      const session = await sessions.create(account.id, now);
      return { user: sessionUserOf(account), session };
    },
  };
}
