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
import { and, eq, gt, sql } from 'drizzle-orm';
import type { SessionUser } from '../../src/protocol/index.ts';
import type { Orm } from '../db/orm.ts';
import { sessions, users } from '../db/schema.ts';

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
  create(userId: number, now: number): NewSession;
  find(token: string, now: number): SessionUser | null;
  remove(token: string): void;
  /** Ends the session a revocation token belongs to; false when there is none (any more). */
  revoke(revocationToken: string): boolean;
  purgeExpired(now: number): number;
}

/** What sign-in and session look-ups read of a staff account (the session user plus its hash). */
export const ACCOUNT_COLUMNS = {
  id: users.id,
  name: users.name,
  role: users.role,
  practiceId: users.practiceId,
  tenantId: users.tenantId,
  email: users.email,
  passwordHash: users.passwordHash,
};

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');
const newToken = (): string => randomBytes(32).toString('base64url');

export function createSessionStore(orm: Orm): SessionStore {
  const p = sql.placeholder;
  const lookup = orm
    .select({ ...ACCOUNT_COLUMNS, deletedAt: users.deletedAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, p('tokenHash')), gt(sessions.expiresAt, p('now'))))
    .prepare();
  const db = orm.$client;
  // Keeps the newest MAX_SESSIONS_PER_USER of a user (ids grow with creation).
  const trim = db.prepare<{ userId: number; keep: number }>(
    `DELETE FROM sessions WHERE user_id = @userId AND id < (
       SELECT MIN(id) FROM (SELECT id FROM sessions WHERE user_id = @userId ORDER BY id DESC LIMIT @keep))`,
  );
  const purge = db.prepare<{ now: number; limit: number }>(
    'DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= @now LIMIT @limit)',
  );

  return {
    create(userId, now) {
      const session = { token: newToken(), revocationToken: newToken() };
      db.transaction(() => {
        orm
          .insert(sessions)
          .values({ tokenHash: hashToken(session.token), revocationHash: hashToken(session.revocationToken), userId, createdAt: now, expiresAt: now + SESSION_TTL_MS })
          .run();
        trim.run({ userId, keep: MAX_SESSIONS_PER_USER });
      })();
      return session;
    },
    find(token, now) {
      const row = lookup.get({ tokenHash: hashToken(token), now });
      // A user deleted or turned into a client since signing in has no session any more.
      if (!row || row.deletedAt !== null || row.passwordHash === null || row.role === 'CLIENT') return null;
      return {
        id: row.id,
        name: row.name,
        role: row.role,
        practiceId: row.practiceId,
        tenantId: row.tenantId,
        ...(row.email !== null ? { email: row.email } : {}),
      };
    },
    remove(token) {
      orm.delete(sessions).where(eq(sessions.tokenHash, hashToken(token))).run();
    },
    revoke(revocationToken) {
      return orm.delete(sessions).where(eq(sessions.revocationHash, hashToken(revocationToken))).run().changes > 0;
    },
    purgeExpired(now) {
      // In chunks, so a large backlog never holds the write lock for long.
      let total = 0;
      for (;;) {
        const removed = purge.run({ now, limit: 1000 }).changes;
        total += removed;
        if (removed < 1000) return total;
      }
    },
  };
}
