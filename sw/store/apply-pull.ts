/**
 * Applies one page of pulled changes, with the new cursor, in ONE transaction: either the whole
 * page and its cursor are stored or nothing is (a crash re-pulls the same page, never skips it).
 * A record that fails the entity schema is quarantined in the same transaction (core/quarantine.ts)
 * instead of stopping the page: one bad record must not cut every device off from the server.
 */
import {
  ENTITY_SCHEMAS,
  QuarantinedRecordSchema,
  describeValidation,
  type EntityType,
  type PullChange,
  type QuarantinedRecord,
} from '../../src/protocol/index.ts';
import { quarantined, updateQuarantine } from '../core/quarantine.ts';
import { putRecord, recomputeRecord, type ReadTx } from '../db/records.ts';
import type { SyncDb } from '../db/schema.ts';
import { inWriteTransaction } from './local-writes.ts';

export interface PullPageSummary {
  applied: number;
  rebased: number;
  changedTypes: Set<EntityType>;
  /** Records set aside as unreadable in this page. */
  quarantined: QuarantinedRecord[];
}

/** The quarantine as stored in `meta` (entries that no longer parse are dropped). */
export async function readQuarantine(tx: Pick<ReadTx, 'objectStore'>): Promise<QuarantinedRecord[]> {
  const entry = await tx.objectStore('meta').get('quarantine');
  if (!entry || !Array.isArray(entry.value)) return [];
  return entry.value.flatMap((item: unknown) => {
    const parsed = QuarantinedRecordSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

export async function applyPullPage(
  db: SyncDb,
  changes: readonly PullChange[],
  cursor: string,
  pulledAt: number,
): Promise<PullPageSummary> {
  // Validate the whole page before touching the replica; what fails is set aside, not stored.
  const bad: QuarantinedRecord[] = [];
  const records: { change: PullChange; record: Record<string, unknown> & { id: number } }[] = [];
  for (const change of changes) {
    const parsed = ENTITY_SCHEMAS[change.entityType].safeParse(change.data);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join('.')).filter(Boolean))];
      bad.push(quarantined(change, `${fields.length > 0 ? `${fields.join(', ')}: ` : ''}${describeValidation(parsed.error)}`, pulledAt));
    } else if (parsed.data.id !== change.id) {
      bad.push(quarantined(change, `the record's id ${String(parsed.data.id)} differs from the change's id ${change.id}`, pulledAt));
    } else {
      records.push({ change, record: parsed.data as Record<string, unknown> & { id: number } });
    }
  }

  return inWriteTransaction(db, async (tx, writes) => {
    const summary: PullPageSummary = { applied: 0, rebased: 0, changedTypes: new Set(), quarantined: bad };
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
    const before = await readQuarantine(tx);
    if (bad.length > 0 || before.length > 0) {
      const after = updateQuarantine(before, bad, records.map(({ change }) => change));
      if (after.length !== before.length || bad.length > 0) await meta.put({ key: 'quarantine', value: after });
    }
    await meta.put({ key: 'pullCursor', value: cursor });
    await meta.put({ key: 'lastPulledAt', value: pulledAt });
    return summary;
  });
}
