/**
 * The sync bookkeeping tables: the change sequence counter, the op log (exactly-once), the
 * temp-id map, and the revisions undo log (field-level conflict detection).
 */
import type { EntityType, OperationKind, PushResult } from '../../src/protocol/index.ts';
import type { Orm } from '../db/orm.ts';
import { opLog, revisions, tempIds } from '../db/schema.ts';
import { insertSql } from '../db/statements.ts';
import type { Fields } from './wire.ts';

export interface StoredOp {
  entityType: string;
  operation: string;
  result: PushResult;
}

export interface Revision {
  version: number;
  /** Values the changed fields had before this version. */
  previous: Fields;
  /** When this version was written (its updatedAt). */
  changedAt: number;
}

export interface SyncLog {
  /**
   * Runs `fn` in a write transaction (IMMEDIATE: the write lock is taken up front, so no other
   * process writes in between). Reentrant: inside one, it just runs `fn`. Change numbers are
   * handed out from memory and the counter is stored once, when `fn` returns, in the same
   * transaction: numbers follow commit order, and a rollback takes them back with the rows.
   */
  writeTransaction<T>(fn: () => T): T;
  /** Writes made through this log so far (change numbers handed out, ops, temp ids, revisions). */
  writeCount(): number;
  /** Next number of the global change sequence; only inside writeTransaction. */
  nextSeq(): number;
  /** Reserves `count` numbers at once and returns the first (bulk loads outside writeTransaction). */
  reserveSeq(count: number): number;
  currentSeq(): number;
  findOp(practiceId: number, opId: string): StoredOp | undefined;
  /**
   * `resultJson`: the PushResult as JSON without its `record` (the undo log rebuilds the record
   * at the result's version when the opId comes again: see sync/versions.ts).
   */
  recordOp(entry: { practiceId: number; opId: string; userId: number; entityType: EntityType; operation: OperationKind; resultJson: string; now: number }): void;
  findTempId(practiceId: number, entityType: EntityType, tempId: string): number | undefined;
  recordTempId(practiceId: number, entityType: EntityType, tempId: string, realId: number, now: number): void;
  addRevision(entityType: EntityType, entityId: number, version: number, previous: Fields, now: number): void;
  /** Revisions of a row after `afterVersion`, newest first. */
  revisionsAfter(entityType: EntityType, entityId: number, afterVersion: number): Revision[];
}

const CHANGE_SEQ = 'change_seq';

export function createSyncLog(orm: Orm): SyncLog {
  // Raw prepared statements (see db/statements.ts): every pushed operation runs several of these.
  const db = orm.$client;
  const bumpSeq = db.prepare<[number], number>(`UPDATE counters SET value = value + ? WHERE name = '${CHANGE_SEQ}' RETURNING value`).pluck();
  const readSeq = db.prepare<[], number>(`SELECT value FROM counters WHERE name = '${CHANGE_SEQ}'`).pluck();
  const storeSeq = db.prepare<[number]>(`UPDATE counters SET value = ? WHERE name = '${CHANGE_SEQ}'`);
  const findOp = db.prepare<[number, string], { entityType: string; operation: string; result: string }>(
    'SELECT entity_type AS entityType, operation, result FROM op_log WHERE practice_id = ? AND op_id = ?',
  );
  const insertOp = db.prepare(insertSql(opLog, ['practiceId', 'opId', 'userId', 'entityType', 'operation', 'result', 'createdAt']));
  const findTemp = db.prepare<[number, string, string], number>('SELECT real_id FROM temp_ids WHERE practice_id = ? AND entity_type = ? AND temp_id = ?').pluck();
  const insertTemp = db.prepare(insertSql(tempIds, ['practiceId', 'entityType', 'tempId', 'realId', 'createdAt']));
  const insertRevision = db.prepare(insertSql(revisions, ['entityType', 'entityId', 'version', 'previous', 'changedAt']));
  const revisionsAfter = db.prepare<[string, number, number], { version: number; previous: string; changedAt: number }>(
    'SELECT version, previous, changed_at AS changedAt FROM revisions WHERE entity_type = ? AND entity_id = ? AND version > ? ORDER BY version DESC',
  );

  /** Next number to hand out; null outside writeTransaction. */
  let next: number | null = null;
  let writes = 0;

  const inWriteTransaction = db.transaction(<T>(fn: () => T): T => {
    next = (readSeq.get() ?? 0) + 1;
    const result = fn();
    storeSeq.run(next - 1);
    return result;
  });

  return {
    writeTransaction: <T>(fn: () => T): T => {
      if (next !== null) return fn();
      try {
        return inWriteTransaction.immediate(fn) as T;
      } finally {
        next = null;
      }
    },
    writeCount: () => writes,
    nextSeq: () => {
      if (next === null) throw new Error('nextSeq() outside writeTransaction()');
      writes++;
      return next++;
    },
    reserveSeq: (count) => {
      if (next !== null) throw new Error('reserveSeq() inside writeTransaction(): use nextSeq()');
      const last = bumpSeq.get(count);
      if (last === undefined) throw new Error(`counter ${CHANGE_SEQ} missing: database not migrated?`);
      return last - count + 1;
    },
    currentSeq: () => readSeq.get() ?? 0,
    findOp: (practiceId, opId) => {
      const row = findOp.get(practiceId, opId);
      return row ? { entityType: row.entityType, operation: row.operation, result: JSON.parse(row.result) as PushResult } : undefined;
    },
    recordOp: (entry) => {
      writes++;
      insertOp.run({
        practiceId: entry.practiceId,
        opId: entry.opId,
        userId: entry.userId,
        entityType: entry.entityType,
        operation: entry.operation,
        result: entry.resultJson,
        createdAt: entry.now,
      });
    },
    findTempId: (practiceId, entityType, tempId) => findTemp.get(practiceId, entityType, tempId),
    recordTempId: (practiceId, entityType, tempId, realId, now) => {
      writes++;
      insertTemp.run({ practiceId, entityType, tempId, realId, createdAt: now });
    },
    addRevision: (entityType, entityId, version, previous, now) => {
      writes++;
      insertRevision.run({ entityType, entityId, version, previous: JSON.stringify(previous), changedAt: now });
    },
    revisionsAfter: (entityType, entityId, afterVersion) =>
      revisionsAfter.all(entityType, entityId, afterVersion).map((r) => ({ version: r.version, previous: JSON.parse(r.previous) as Fields, changedAt: r.changedAt })),
  };
}
