/** What the device keeps across sign-out and practice switches. */
import { ALL_STORES } from '../db/records.ts';
import type { SyncDb } from '../db/schema.ts';

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
