/**
 * Server-side sessions: a random token in an HttpOnly cookie, its sha256 in the `sessions`
 * table with the user and an expiry. The user, practice and tenant of every request come from here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lte } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { SessionUser } from '../../src/protocol/index.ts';
import type { Orm } from '../db/orm.ts';
import { sessions, users } from '../db/schema.ts';

/** 30 days: tablets stay offline for days and must still sync when they come back. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface SessionStore {
  create(userId: number, now: number): string;
  find(token: string, now: number): SessionUser | null;
  remove(token: string): void;
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

export function createSessionStore(orm: Orm): SessionStore {
  const p = sql.placeholder;
  const lookup = orm
    .select({ ...ACCOUNT_COLUMNS, deletedAt: users.deletedAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, p('tokenHash')), gt(sessions.expiresAt, p('now'))))
    .prepare();

  return {
    create(userId, now) {
      const token = randomBytes(32).toString('base64url');
      orm.insert(sessions).values({ tokenHash: hashToken(token), userId, createdAt: now, expiresAt: now + SESSION_TTL_MS }).run();
      return token;
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
    purgeExpired(now) {
      return orm.delete(sessions).where(lte(sessions.expiresAt, now)).run().changes;
    },
  };
}
