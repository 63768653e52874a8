/**
 * Applies one page of pulled changes, with the new cursor, in ONE transaction: either the whole
 * page and its cursor are stored or nothing is (a crash re-pulls the same page, never skips it).
 */
import { ENTITY_SCHEMAS, type EntityType, type PullChange } from '../../src/protocol/index.ts';
import { putRecord, recomputeRecord } from '../db/records.ts';
import type { SyncDb } from '../db/schema.ts';
import { inWriteTransaction } from './local-writes.ts';

export class PulledRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PulledRecordError';
  }
}

export interface PullPageSummary {
  applied: number;
  rebased: number;
  changedTypes: Set<EntityType>;
}

export async function applyPullPage(
  db: SyncDb,
  changes: readonly PullChange[],
  cursor: string,
  pulledAt: number,
): Promise<PullPageSummary> {
  // Validate the whole page before touching the replica: a bad record stops the page, so the
  // cursor never moves past data we did not store.
  const records = changes.map((change) => {
    const parsed = ENTITY_SCHEMAS[change.entityType].safeParse(change.data);
    if (!parsed.success) {
      throw new PulledRecordError(`Pulled ${change.entityType} ${change.id} is malformed: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    return { change, record: parsed.data as Record<string, unknown> & { id: number } };
  });

  return inWriteTransaction(db, async (tx, writes) => {
    const summary: PullPageSummary = { applied: 0, rebased: 0, changedTypes: new Set() };
    // Which records still have local work (only asked when anything is queued at all). Reads and
    // plain writes are pipelined: a page costs a few round trips, not one per record.
    const ops = tx.objectStore('sync_operations');
    const queued = await ops.count();
    const hasLocalWork =
      queued > 0
        ? await Promise.all(records.map(({ change }) => ops.index('record').count([change.entityType, change.id]).then((n) => n > 0)))
        : null;
    for (const [i, { change, record }] of records.entries()) {
      summary.changedTypes.add(change.entityType);
      summary.applied++;
      if (hasLocalWork?.[i]) {
        summary.rebased++;
        await recomputeRecord(tx, change.entityType, change.id, record);
      } else if (change.operation === 'delete' || record.deletedAt) {
        writes.add(() => tx.objectStore(change.entityType).delete(change.id));
      } else {
        writes.add(() => putRecord(tx, change.entityType, { ...record, _pending: false, _conflict: false, _server: record }));
      }
    }
    const meta = tx.objectStore('meta');
    await meta.put({ key: 'pullCursor', value: cursor });
    await meta.put({ key: 'lastPulledAt', value: pulledAt });
    return summary;
  });
}
