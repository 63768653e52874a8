/** Builds the server's parts on one database connection; routes and tools take what they need. */
import type { SqliteDatabase } from './db/open.ts';
import { createOrm, type Orm } from './db/orm.ts';
import { createAuthenticator, type Authenticator } from './auth/login.ts';
import { createSessionStore, type SessionStore } from './auth/sessions.ts';
import { createSignInThrottle, type SignInThrottle, type ThrottleLimits } from './auth/throttle.ts';
import type { Logger } from './log.ts';
import { createEntityModels, type EntityModels } from './store/entities.ts';
import { createSyncLog, type SyncLog } from './store/sync-log.ts';
import { createApplier, type Applier } from './sync/apply.ts';
import { createResolver, type Resolver } from './sync/references.ts';

export interface Services {
  db: SqliteDatabase;
  orm: Orm;
  models: EntityModels;
  log: SyncLog;
  resolver: Resolver;
  applier: Applier;
  sessions: SessionStore;
  auth: Authenticator;
  throttle: SignInThrottle;
  logger: Logger;
  now: () => number;
}

export function createServices(db: SqliteDatabase, logger: Logger, now: () => number = Date.now, throttleLimits?: ThrottleLimits): Services {
  const orm = createOrm(db);
  const models = createEntityModels(orm);
  const log = createSyncLog(orm);
  const resolver = createResolver(models, log);
  const applier = createApplier({
    db,
    models,
    log,
    resolver,
    onInternalError: (err, op) => logger.error(`[SyncPush] operation ${op.opId} (${op.operation} ${op.entityType}) failed`, err),
  });
  const sessions = createSessionStore(orm);
  const auth = createAuthenticator(orm, sessions);
  const throttle = createSignInThrottle(throttleLimits);
  return { db, orm, models, log, resolver, applier, sessions, auth, throttle, logger, now };
}
