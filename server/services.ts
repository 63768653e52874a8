/** Builds the server's parts on one database connection; routes and tools take what they need. */
import type { Database } from './db/engine.ts';
import { createAuthenticator, type Authenticator } from './auth/login.ts';
import { createSessionStore, type SessionStore } from './auth/sessions.ts';
import { createSignInThrottle, type SignInThrottle, type ThrottleLimits } from './auth/throttle.ts';
import type { Logger } from './log.ts';
import { createEntityModels, type EntityModels } from './store/entities.ts';
import { createSyncLog, type SyncLog } from './store/sync-log.ts';
import { createApplier, type Applier } from './sync/apply.ts';
import { createResolver, type Resolver } from './sync/references.ts';

export interface Services {
  db: Database;
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

export function createServices(
  db: Database,
  logger: Logger,
  now: () => number = Date.now,
  throttleLimits?: ThrottleLimits,
): Services {
  const models = createEntityModels(db);
  const log = createSyncLog(db);
  const resolver = createResolver(db, models, log);
  const applier = createApplier({
    db,
    models,
    log,
    resolver,
    onInternalError: (err, op) =>
      logger.error(`[SyncPush] operation ${op.opId} (${op.operation} ${op.entityType}) failed`, err),
  });
  const sessions = createSessionStore(db);
  const auth = createAuthenticator(db, sessions);
  const throttle = createSignInThrottle(throttleLimits);
  return { db, models, log, resolver, applier, sessions, auth, throttle, logger, now };
}
