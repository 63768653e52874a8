/**
 * The sync bookkeeping tables: the change sequence counter, the op log (exactly-once), the
 * temp-id map, and the revisions undo log (field-level conflict detection).
 */
import type { EntityType, OperationKind, PushResult } from '../../src/protocol/index.ts';
import { andThen, type Database, type MaybePromise } from '../db/engine.ts';
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
   * Runs `fn` in a write transaction. Change numbers are handed out from memory and the counter
   * is stored once, when `fn` returns, in the same transaction: numbers follow commit order, and
   * a rollback takes them back with the rows. The counter row is read first, under a row lock on
   * PostgreSQL (`FOR UPDATE`), so write transactions of every process take turns from there to
   * their commit: a change number can never become visible after a larger one (pull cursors skip
   * nothing), and every check a transaction makes (opId seen, version, double booking) reads the
   * latest committed state. SQLite gets the same from BEGIN IMMEDIATE.
   */
  writeTransaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Writes made in the current write transaction so far (change numbers handed out, ops, temp ids, revisions). */
  writeCount(): number;
  /** Next number of the global change sequence; only inside writeTransaction. */
  nextSeq(): number;
  /** Reserves `count` numbers at once and returns the first (bulk loads outside writeTransaction). */
  reserveSeq(count: number): Promise<number>;
  currentSeq(): Promise<number>;
  findOp(practiceId: number, opId: string): MaybePromise<StoredOp | undefined>;
  /**
   * `resultJson`: the PushResult as JSON without its `record` (the undo log rebuilds the record
   * at the result's version when the opId comes again: see sync/versions.ts).
   */
  recordOp(entry: { practiceId: number; opId: string; userId: number; entityType: EntityType; operation: OperationKind; resultJson: string; now: number }): MaybePromise<unknown>;
  findTempId(practiceId: number, entityType: EntityType, tempId: string): MaybePromise<number | undefined>;
  recordTempId(practiceId: number, entityType: EntityType, tempId: string, realId: number, now: number): MaybePromise<unknown>;
  addRevision(entityType: EntityType, entityId: number, version: number, previous: Fields, now: number): MaybePromise<unknown>;
  /** Revisions of a row after `afterVersion`, newest first. */
  revisionsAfter(entityType: EntityType, entityId: number, afterVersion: number): Promise<Revision[]>;
}

const CHANGE_SEQ = 'change_seq';

/** What one write transaction keeps in its scope state. */
interface SeqState {
  next: number;
  writes: number;
}

export function createSyncLog(db: Database): SyncLog {
  // Raw prepared statements (see db/statements.ts): every pushed operation runs several of these.
  const bumpSeq = db.prepare(`UPDATE counters SET value = value + ? WHERE name = '${CHANGE_SEQ}' RETURNING value`);
  const readSeq = db.prepare(`SELECT value FROM counters WHERE name = '${CHANGE_SEQ}'`);
  const lockSeq = db.dialect === 'postgres' ? db.prepare(`SELECT value FROM counters WHERE name = '${CHANGE_SEQ}' FOR UPDATE`) : readSeq;
  const storeSeq = db.prepare(`UPDATE counters SET value = ? WHERE name = '${CHANGE_SEQ}'`);
  const findOp = db.prepare<{ entityType: string; operation: string; result: string }>(
    'SELECT entity_type AS "entityType", operation, result FROM op_log WHERE practice_id = ? AND op_id = ?',
  );
  const insertOp = db.prepare(insertSql(opLog, ['practiceId', 'opId', 'userId', 'entityType', 'operation', 'result', 'createdAt']));
  const findTemp = db.prepare('SELECT real_id FROM temp_ids WHERE practice_id = ? AND entity_type = ? AND temp_id = ?');
  const insertTemp = db.prepare(insertSql(tempIds, ['practiceId', 'entityType', 'tempId', 'realId', 'createdAt']));
  const insertRevision = db.prepare(insertSql(revisions, ['entityType', 'entityId', 'version', 'previous', 'changedAt']));
  const revisionsAfter = db.prepare<{ version: number; previous: string; changedAt: number }>(
    'SELECT version, previous, changed_at AS "changedAt" FROM revisions WHERE entity_type = ? AND entity_id = ? AND version > ? ORDER BY version DESC',
  );

  const seqState = (): SeqState | undefined => db.state()?.seq as SeqState | undefined;
  const counted = (): void => {
    const state = seqState();
    if (state) state.writes++;
  };

  return {
    writeTransaction: (fn) =>
      db.write(async () => {
        const head = (await lockSeq.value<number>()) ?? 0;
        const state: SeqState = { next: head + 1, writes: 0 };
        db.state()!.seq = state;
        const result = await fn();
        if (state.next !== head + 1) await storeSeq.run([state.next - 1]);
        return result;
      }),
    writeCount: () => seqState()?.writes ?? 0,
    nextSeq: () => {
      const state = seqState();
      if (!state) throw new Error('nextSeq() outside writeTransaction()');
      state.writes++;
      return state.next++;
    },
    reserveSeq: async (count) => {
      if (seqState()) throw new Error('reserveSeq() inside writeTransaction(): use nextSeq()');
      const last = await bumpSeq.value<number>([count]);
      if (last === undefined) throw new Error(`counter ${CHANGE_SEQ} missing: database not migrated?`);
      return last - count + 1;
    },
    currentSeq: async () => (await readSeq.value<number>()) ?? 0,
    findOp: (practiceId, opId) =>
      andThen(findOp.get([practiceId, opId]), (row) =>
        row ? { entityType: row.entityType, operation: row.operation, result: JSON.parse(row.result) as PushResult } : undefined,
      ),
    recordOp: (entry) => {
      counted();
      return insertOp.run({
        practiceId: entry.practiceId,
        opId: entry.opId,
        userId: entry.userId,
        entityType: entry.entityType,
        operation: entry.operation,
        result: entry.resultJson,
        createdAt: entry.now,
      });
    },
    findTempId: (practiceId, entityType, tempId) => findTemp.value<number>([practiceId, entityType, tempId]),
    recordTempId: (practiceId, entityType, tempId, realId, now) => {
      counted();
      return insertTemp.run({ practiceId, entityType, tempId, realId, createdAt: now });
    },
    addRevision: (entityType, entityId, version, previous, now) => {
      counted();
      return insertRevision.run({ entityType, entityId, version, previous: JSON.stringify(previous), changedAt: now });
    },
    revisionsAfter: async (entityType, entityId, afterVersion) =>
      (await revisionsAfter.all([entityType, entityId, afterVersion])).map((r) => ({ version: r.version, previous: JSON.parse(r.previous) as Fields, changedAt: r.changedAt })),
  };
}
