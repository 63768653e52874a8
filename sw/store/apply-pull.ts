/**
 * Applies one page of pulled changes, with the new cursor, in ONE transaction: either the whole
 * page and its cursor are stored or nothing is (a crash re-pulls the same page, never skips it).
 * A record that fails the entity schema is quarantined in the same transaction (core/quarantine.ts)
 * instead of stopping the page: one bad record must not cut every device off from the server.
 *
 * A change whose version the replica already holds is skipped without a write: after a drain the
 * pull brings back every record the device just pushed, and the acknowledgements stored them already.
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
import {
  deleteRecord,
  putRecord,
  serverStateOf,
  storedForm,
  writeVisible,
  type AnyReplicaRecord,
} from '../db/records.ts';
import { localKeyOf, type MetaEntry, type SyncDb } from '../db/schema.ts';
import { inWriteTransaction, type Tx } from '../db/tx.ts';
import { rowsOf } from './queue.ts';

export interface PullPageSummary {
  /** Changes stored (new versions). */
  applied: number;
  /** Changes whose version the replica already held. */
  skipped: number;
  rebased: number;
  changedTypes: Set<EntityType>;
  /** Records set aside as unreadable in this page. */
  quarantined: QuarantinedRecord[];
}

/** The quarantine as stored in `meta` (entries that no longer parse are dropped). */
export async function readQuarantine(tx: {
  objectStore(name: 'meta'): { get(key: string): Promise<MetaEntry | undefined> };
}): Promise<QuarantinedRecord[]> {
  const entry = await tx.objectStore('meta').get('quarantine');
  if (!entry || !Array.isArray(entry.value)) return [];
  return entry.value.flatMap((item: unknown) => {
    const parsed = QuarantinedRecordSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

interface Accepted {
  change: PullChange;
  record: Record<string, unknown> & { id: number };
}

/** Splits a page into records that pass the entity schema and quarantine entries for the others. */
function validatePage(
  changes: readonly PullChange[],
  pulledAt: number,
): { accepted: Accepted[]; bad: QuarantinedRecord[] } {
  const bad: QuarantinedRecord[] = [];
  const accepted: Accepted[] = [];
  for (const change of changes) {
    const parsed = ENTITY_SCHEMAS[change.entityType].safeParse(change.data);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join('.')).filter(Boolean))];
      bad.push(
        quarantined(
          change,
          `${fields.length > 0 ? `${fields.join(', ')}: ` : ''}${describeValidation(parsed.error)}`,
          pulledAt,
        ),
      );
    } else if (parsed.data.id !== change.id) {
      bad.push(
        quarantined(
          change,
          `the record's id ${String(parsed.data.id)} differs from the change's id ${change.id}`,
          pulledAt,
        ),
      );
    } else {
      accepted.push({ change, record: parsed.data as Accepted['record'] });
    }
  }
  return { accepted, bad };
}

const byServerId = (entityType: EntityType, id: number) => `${entityType}:${id}`;

/**
 * The replica's records for the pulled server ids: records from the server are stored under their
 * id, records created here carry it in the `serverId` index. A page's ids are usually close
 * together (change order follows creation order): then two range reads per type cover them; ids
 * spread far apart are read one by one.
 */
async function existingRecords(tx: Tx, accepted: readonly Accepted[]): Promise<Map<string, AnyReplicaRecord>> {
  const idsByType = new Map<EntityType, number[]>();
  for (const { change } of accepted) {
    const ids = idsByType.get(change.entityType);
    if (ids) ids.push(change.id);
    else idsByType.set(change.entityType, [change.id]);
  }
  const found = new Map<string, AnyReplicaRecord>();
  await Promise.all(
    [...idsByType].map(async ([entityType, ids]) => {
      const store = tx.objectStore(entityType);
      const index = store.index('serverId');
      const min = Math.min(...ids);
      const max = Math.max(...ids);
      let records: (AnyReplicaRecord | undefined)[];
      if (max - min + 1 <= 4 * ids.length + 64) {
        const range = IDBKeyRange.bound(min, max);
        const [server, local] = await Promise.all([store.getAll(range), index.getAll(range)]);
        records = [...server, ...local] as AnyReplicaRecord[];
      } else {
        records = await Promise.all(ids.flatMap((id) => [store.get(id), index.get(id)]));
      }
      const wanted = new Set(ids);
      for (const record of records) {
        if (record && typeof record.id === 'number' && wanted.has(record.id))
          found.set(byServerId(entityType, record.id), record);
      }
    }),
  );
  return found;
}

export async function applyPullPage(
  db: SyncDb,
  changes: readonly PullChange[],
  cursor: string,
  pulledAt: number,
): Promise<PullPageSummary> {
  // Validate the whole page before touching the replica; what fails is set aside, not stored.
  const { accepted, bad } = validatePage(changes, pulledAt);

  return inWriteTransaction(db, async (tx, writes) => {
    const summary: PullPageSummary = { applied: 0, skipped: 0, rebased: 0, changedTypes: new Set(), quarantined: bad };
    const existing = await existingRecords(tx, accepted);
    const rebases: Promise<unknown>[] = [];
    for (const { change, record } of accepted) {
      const current = existing.get(byServerId(change.entityType, change.id));
      if (current && Number(serverStateOf(current)?.version ?? -1) >= change.version) {
        summary.skipped++;
        continue;
      }
      summary.applied++;
      summary.changedTypes.add(change.entityType);
      const key = current ? localKeyOf(current) : change.id;
      if (current?._pending) {
        // Local changes wait for the server: show the new server state with them on top.
        summary.rebased++;
        rebases.push(
          rowsOf(tx, change.entityType, key).then((rows) =>
            writeVisible(tx, change.entityType, key, current, record, rows),
          ),
        );
      } else if (change.operation === 'delete' || record.deletedAt) {
        if (current) deleteRecord(tx, change.entityType, key);
      } else {
        putRecord(tx, change.entityType, storedForm(key, record));
      }
    }
    await Promise.all(rebases);
    const meta = tx.objectStore('meta');
    const before = await readQuarantine(tx);
    if (bad.length > 0 || before.length > 0) {
      const after = updateQuarantine(
        before,
        bad,
        accepted.map(({ change }) => change),
      );
      if (after.length !== before.length || bad.length > 0)
        writes.add(() => meta.put({ key: 'quarantine', value: after }));
    }
    writes.add(() => meta.put({ key: 'pullCursor', value: cursor }));
    writes.add(() => meta.put({ key: 'lastPulledAt', value: pulledAt }));
    return summary;
  });
}
