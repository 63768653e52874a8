/** Sign-in: email + password → session token. Clients (no password) cannot sign in. */
import { and, isNotNull, isNull, sql } from 'drizzle-orm';
import type { SessionUser } from '../../src/protocol/index.ts';
import type { Orm } from '../db/orm.ts';
import { users } from '../db/schema.ts';
import { dummyHash, verifyPassword } from './password.ts';
import { ACCOUNT_COLUMNS, type SessionStore } from './sessions.ts';

export interface Authenticator {
  /** The user and a new session token, or null for wrong credentials (whatever was wrong). */
  login(email: string, password: string, now: number): Promise<{ user: SessionUser; token: string } | null>;
}

export function createAuthenticator(orm: Orm, sessions: SessionStore): Authenticator {
  const byEmail = orm
    .select(ACCOUNT_COLUMNS)
    .from(users)
    .where(and(sql`${users.email} = ${sql.placeholder('email')} COLLATE NOCASE`, isNotNull(users.passwordHash), isNull(users.deletedAt)))
    .prepare();

  return {
    async login(email, password, now) {
      const row = byEmail.get({ email: email.trim() });
      const canSignIn = row !== undefined && row.passwordHash !== null && row.role !== 'CLIENT';
      const ok = await verifyPassword(password, canSignIn ? row.passwordHash! : dummyHash());
      if (!ok || !canSignIn) return null;
      const token = sessions.create(row.id, now);
      const user: SessionUser = {
        id: row.id,
        name: row.name,
        role: row.role,
        practiceId: row.practiceId,
        tenantId: row.tenantId,
        ...(row.email !== null ? { email: row.email } : {}),
      };
      return { user, token };
    },
  };
}

