/** What the device keeps across sign-out and practice switches. */
import { ALL_STORES } from '../db/tx.ts';
import type { SessionUser } from '../../src/protocol/index.ts';
import type { SyncDb } from '../db/schema.ts';
import { getMeta, setMeta } from './meta.ts';

/** Drops replica records, aliases and the pull cursor; the queue and conflicts are kept. */
export async function clearReplica(db: SyncDb): Promise<void> {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  await Promise.all([
    tx.objectStore('users').clear(),
    tx.objectStore('pets').clear(),
    tx.objectStore('appointments').clear(),
    tx.objectStore('id_aliases').clear(),
    tx.objectStore('meta').delete('pullCursor'),
    tx.objectStore('meta').delete('lastPulledAt'),
  ]);
  await tx.done;
}

/**
 * The signed-in user, read from IndexedDB once per worker life and kept in memory: every write
 * needs it, and a worker restarted by the browser reads it back from the `meta` store.
 */
export interface SessionCache {
  get(): Promise<SessionUser | null>;
  set(user: SessionUser | null): Promise<void>;
}

export function createSessionCache(db: SyncDb): SessionCache {
  let cached: Promise<SessionUser | null> | null = null;
  return {
    get: () => (cached ??= getMeta(db, 'session')),
    async set(user) {
      await setMeta(db, 'session', user);
      cached = Promise.resolve(user);
    },
  };
}
