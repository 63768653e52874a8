/**
 * Bounded growth (issue 13): the sync bookkeeping of an operation (its op-log entry, which is
 * also the temp-id map's entry of a create, and the undo revisions of the changes it made) is
 * kept for SYNC_RETENTION_MS after it was applied, then deleted on the server's hourly schedule,
 * in small transactions.
 *
 * The window keeps exactly-once for every device that can still retry: a device re-sends an
 * operation only while it waits for the acknowledgement, and one that comes back after more than
 * the window (180 days by default, six times a session's 30 days) has had to sign in again long
 * before. Within the window a retry finds its result; after it, the same opId would be applied
 * again. A conflict check whose base version is older than the revisions kept counts every field
 * as changed (sync/conflicts.ts: rebuildHistory), as it already does beyond 1,000 versions.
 * Records and tombstones are never deleted.
 */
import type { Database } from '../db/engine.ts';

/** 180 days. */
export const DEFAULT_RETENTION_MS = 180 * 24 * 60 * 60 * 1000;
/** Rows deleted per transaction: a large backlog never holds the write lock for long. */
const CHUNK = 1000;

export interface PruneReport {
  ops: number;
  revisions: number;
}

export interface Pruner {
  /** Deletes bookkeeping older than `now - retentionMs`. */
  prune(now: number): Promise<PruneReport>;
}

export function createPruner(db: Database, retentionMs: number = DEFAULT_RETENTION_MS): Pruner {
  // The op log is in insertion order (its id) and so, near enough, in time: walk it from the
  // oldest and stop at the first entry inside the window. Revisions have no time order: a
  // bounded look-up per chunk (a scan once an hour).
  const oldestOps = db.prepare<{ id: number; createdAt: number }>(
    `SELECT id, created_at AS "createdAt" FROM op_log ORDER BY id LIMIT ${CHUNK}`,
  );
  const deleteOps = db.prepare('DELETE FROM op_log WHERE id <= ? AND created_at < ?');
  const deleteRevisions = db.prepare(
    `DELETE FROM revisions WHERE (entity_type, entity_id, version) IN (SELECT entity_type, entity_id, version FROM revisions WHERE changed_at < ? LIMIT ${CHUNK})`,
  );

  async function inChunks(run: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await run();
      total += removed;
      if (removed < CHUNK) return total;
    }
  }

  return {
    async prune(now) {
      const cutoff = now - retentionMs;
      let ops = 0;
      for (;;) {
        const rows = await db.read(async () => oldestOps.all());
        const old = rows.filter((r) => r.createdAt < cutoff);
        const newestOld = old.at(-1);
        if (newestOld === undefined) break;
        ops += (await db.write(async () => deleteOps.run([newestOld.id, cutoff]))).changes;
        if (old.length < rows.length || rows.length < CHUNK) break;
      }
      const revisions = await inChunks(async () => (await db.write(async () => deleteRevisions.run([cutoff]))).changes);
      return { ops, revisions };
    },
  };
}
