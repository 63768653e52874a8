/**
 * Server-side sessions: a random token in an HttpOnly cookie, its sha256 in the `sessions`
 * table with the user and an expiry. The user, practice and tenant of every request come from here.
 *
 * Sign-in also hands out a revocation token (only its sha256 is kept): `POST /api/auth/revoke`
 * ends the session with it, without the cookie, so a sign-out made offline can be replayed later
 * even when the browser holds the next user's cookie by then. A user keeps at most
 * MAX_SESSIONS_PER_USER sessions (the oldest go first); expired ones are purged on a schedule.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SessionUser } from '../../src/protocol/index.ts';
import type { Database } from '../db/engine.ts';
import { sessions, users } from '../db/schema.ts';
import { columnName, insertSql } from '../db/statements.ts';

/** 30 days: tablets stay offline for days and must still sync when they come back. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Sessions one user may hold at once (devices and browsers); signing in once more drops the oldest. */
export const MAX_SESSIONS_PER_USER = 10;
/** How often expired sessions are deleted while the server runs. */
export const SESSION_PURGE_INTERVAL_MS = 60 * 60 * 1000;

export interface NewSession {
  token: string;
  revocationToken: string;
}

export interface SessionStore {
  create(userId: number, now: number): Promise<NewSession>;
  find(token: string, now: number): Promise<SessionUser | null>;
  remove(token: string): Promise<void>;
  /** Ends the session a revocation token belongs to; false when there is none (any more). */
  revoke(revocationToken: string): Promise<boolean>;
  purgeExpired(now: number): Promise<number>;
}

/** What sign-in and session look-ups read of a staff account (the session user plus its hash). */
export interface AccountRow {
  id: number;
  name: string;
  role: (typeof users.$inferSelect)['role'];
  practiceId: number;
  tenantId: string;
  email: string | null;
  passwordHash: string | null;
}

/** `u."id" AS "id", ...` for AccountRow, from the drizzle table. */
export const ACCOUNT_COLUMNS = (['id', 'name', 'role', 'practiceId', 'tenantId', 'email', 'passwordHash'] as const)
  .map((key) => `u.${columnName(users, key)} AS "${key}"`)
  .join(', ');

/** A staff account that may sign in and hold a session: it has a password and is not a client. */
export function maySignIn(row: AccountRow): row is AccountRow & { passwordHash: string } {
  return row.passwordHash !== null && row.role !== 'CLIENT';
}

/** The session user of an account row: what sign-in answers and every request acts as. */
export function sessionUserOf(row: AccountRow): SessionUser {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    practiceId: row.practiceId,
    tenantId: row.tenantId,
    ...(row.email !== null ? { email: row.email } : {}),
  };
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');
const newToken = (): string => randomBytes(32).toString('base64url');

export function createSessionStore(db: Database): SessionStore {
  const lookup = db.prepare<AccountRow & { deletedAt: number | null }>(
    `SELECT ${ACCOUNT_COLUMNS}, u.deleted_at AS "deletedAt" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = @tokenHash AND s.expires_at > @now`,
  );
  const insert = db.prepare(insertSql(sessions, ['tokenHash', 'revocationHash', 'userId', 'createdAt', 'expiresAt']));
  // Keeps the newest MAX_SESSIONS_PER_USER of a user (ids grow with creation).
  const trim = db.prepare(
    `DELETE FROM sessions WHERE user_id = @userId AND id < (
       SELECT MIN(id) FROM (SELECT id FROM sessions WHERE user_id = @userId ORDER BY id DESC LIMIT @keep) AS newest)`,
  );
  const removeByToken = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
  const removeByRevocation = db.prepare('DELETE FROM sessions WHERE revocation_hash = ?');
  const purge = db.prepare(
    'DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= @now LIMIT @limit)',
  );

  return {
    async create(userId, now) {
      const session = { token: newToken(), revocationToken: newToken() };
      await db.write(async () => {
        await insert.run({
          tokenHash: hashToken(session.token),
          revocationHash: hashToken(session.revocationToken),
          userId,
          createdAt: now,
          expiresAt: now + SESSION_TTL_MS,
        });
        await trim.run({ userId, keep: MAX_SESSIONS_PER_USER });
      });
      return session;
    },
    async find(token, now) {
      const row = await db.direct(() => lookup.get({ tokenHash: hashToken(token), now }));
      // A user deleted or turned into a client since signing in has no session any more.
      if (!row || row.deletedAt !== null || !maySignIn(row)) return null;
      return sessionUserOf(row);
    },
    async remove(token) {
      await db.direct(() => removeByToken.run([hashToken(token)]));
    },
    async revoke(revocationToken) {
      return (await db.direct(() => removeByRevocation.run([hashToken(revocationToken)]))).changes > 0;
    },
    async purgeExpired(now) {
      // In chunks, so a large backlog never holds the write lock for long.
      let total = 0;
      for (;;) {
        const removed = (await db.direct(() => purge.run({ now, limit: 1000 }))).changes;
        total += removed;
        if (removed < 1000) return total;
      }
    },
  };
}
