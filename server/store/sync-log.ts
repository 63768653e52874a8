/**
 * The sync bookkeeping tables: the change sequence counter, the op log (exactly-once, and the
 * temp-id map: schema.ts), and the revisions undo log (field-level conflict detection).
 */
import { ENTITY_TYPES, type EntityType, type OperationKind, type PushResult } from '../../src/protocol/index.ts';
import { andThen, inTextList, isRetryable, textListParam, type Database, type MaybePromise } from '../db/engine.ts';
import { opLog, revisions } from '../db/schema.ts';
import { positionalInsert } from '../db/statements.ts';
import type { Fields } from './wire.ts';

/** An applied operation as the op log keeps it (SyncLog.recordOp). */
export interface AppliedOp {
  practiceId: number;
  opId: string;
  userId: number;
  entityType: EntityType;
  operation: OperationKind;
  realId: number;
  version: number;
  tempId: string | undefined;
  mapsTempId: boolean;
  now: number;
}

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
   * Runs `fn` in a write transaction; change numbers follow commit order, so a pull cursor never
   * skips a change that commits late:
   * - SQLite (BEGIN IMMEDIATE: one writer at a time, across processes too): numbers are handed out
   *   from memory from the counter's value, stored once when `fn` returns.
   * - PostgreSQL (writers of every process run at once): `fn` stamps rows with provisional
   *   negative numbers; when it returns, the counter row is bumped by as many (its row lock is
   *   then held to the commit, a few statements later) and the rows are renumbered to the range
   *   it gave. Transactions thus take turns only for that last step, in commit order, and a pull
   *   (one snapshot) sees the counter only with every change up to it committed.
   * A rollback takes the numbers back with the rows. A deadlock or serialization failure
   * (PostgreSQL) runs `fn` again, up to MAX_WRITE_ATTEMPTS times.
   */
  writeTransaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Writes made in the current write transaction so far (change numbers handed out, ops, temp ids, revisions). */
  writeCount(): number;
  /** Next number of the global change sequence; only inside writeTransaction. */
  nextSeq(): number;
  /** Reserves `count` numbers at once and returns the first (bulk loads outside writeTransaction). */
  reserveSeq(count: number): Promise<number>;
  currentSeq(): Promise<number>;
  /** `fresh`: ask the database even when `prefetch` read it (the answer may have changed since). */
  findOp(practiceId: number, opId: string, fresh?: boolean): MaybePromise<StoredOp | undefined>;
  /** Whether `findOp` answers this opId from what `prefetch` read. */
  prefetched(practiceId: number, opId: string): boolean;
  /**
   * Records an applied operation: what its answer says (the record it applied to, the version it
   * left, the temp id it echoes; `findOp` rebuilds the answer from these, without the record,
   * which the undo log rebuilds at that version: sync/versions.ts). `mapsTempId`: a create that
   * made its record under `tempId`, which from now on names that record (`findTempId`).
   */
  recordOp(entry: AppliedOp): MaybePromise<unknown>;
  findTempId(practiceId: number, entityType: EntityType, tempId: string): MaybePromise<number | undefined>;
  addRevision(
    entityType: EntityType,
    entityId: number,
    version: number,
    previous: Fields,
    now: number,
  ): MaybePromise<unknown>;
  /**
   * Inside a write transaction, on both engines: reads the op-log entries and temp ids a batch
   * names in one statement each, so `findOp` / `findTempId` answer them without a statement per
   * operation (PostgreSQL: without a round trip each; SQLite: ~2 µs less per create than two
   * look-ups). What the batch records itself is added as it goes. On PostgreSQL a row another
   * transaction commits later meets the unique index instead (SQLite has one writer at a time).
   */
  prefetch(practiceId: number, opIds: readonly string[], tempIds: readonly string[]): MaybePromise<void>;
  /** Revisions of a row after `afterVersion`, newest first. */
  revisionsAfter(entityType: EntityType, entityId: number, afterVersion: number): Promise<Revision[]>;
}

const CHANGE_SEQ = 'change_seq';

/** An op-log entry as read back. */
interface OpRow {
  opId: string;
  entityType: string;
  operation: string;
  realId: number | null;
  version: number | null;
  tempId: string | null;
  /** The stored answer of an entry written before migration 10; null since. */
  result: string | null;
}

/**
 * The answer an entry was first given, without its record (and its operationId, the client's
 * queue row id, set by the caller): keys in the order success() (sync/results.ts) writes them.
 */
function storedResult(row: OpRow): PushResult {
  if (row.result !== null) return JSON.parse(row.result) as PushResult;
  const out: PushResult = { opId: row.opId, success: true, entityType: row.entityType };
  if (row.realId !== null) out.realId = row.realId;
  if (row.tempId !== null) out.tempId = row.tempId;
  if (row.version !== null) out.version = row.version;
  return out;
}

/** What one write transaction keeps in its scope state. */
interface SeqState {
  /** The next number to hand out (PostgreSQL: its provisional, negated). */
  next: number;
  writes: number;
}

/** Attempts of a write transaction that PostgreSQL aborted as a deadlock victim or serialization failure. */
export const MAX_WRITE_ATTEMPTS = 5;

/** The error, or the one it wraps (`reason`, as BatchAbort does), is worth running the transaction again for. */
function retryable(err: unknown): boolean {
  const inner = typeof err === 'object' && err !== null && 'reason' in err ? err.reason : err;
  return isRetryable(err) || isRetryable(inner);
}

export function createSyncLog(db: Database): SyncLog {
  // Raw prepared statements (see db/statements.ts): every pushed operation runs several of these.
  const bumpSeq = db.prepare(`UPDATE counters SET value = value + ? WHERE name = '${CHANGE_SEQ}' RETURNING value`);
  const readSeq = db.prepare(`SELECT value FROM counters WHERE name = '${CHANGE_SEQ}'`);
  const postgres = db.dialect === 'postgres';
  // PostgreSQL: provisional numbers (negative) → the range the counter gave (base + 1 ...).
  const renumber = ['users', 'pets', 'appointments'].map((table) =>
    db.prepare(`UPDATE ${table} SET seq = ? - seq WHERE seq < 0`),
  );
  const storeSeq = db.prepare(`UPDATE counters SET value = ? WHERE name = '${CHANGE_SEQ}'`);
  const entryColumns = `op_id AS "opId", entity_type AS "entityType", operation, real_id AS "realId", version, temp_id AS "tempId", result`;
  const findOp = db.prepare<OpRow>(`SELECT ${entryColumns} FROM op_log WHERE practice_id = ? AND op_id = ?`);
  const opRow = positionalInsert(opLog, [
    'practiceId',
    'opId',
    'userId',
    'entityType',
    'operation',
    'realId',
    'version',
    'tempId',
    'mapsTempId',
    'createdAt',
  ]);
  const insertOp = db.prepare(opRow.sql);
  // `maps_temp_id = 1` as op_log_temp's predicate says, or the look-up would not use it.
  const findTemp = db.prepare(
    'SELECT real_id FROM op_log WHERE practice_id = ? AND entity_type = ? AND temp_id = ? AND maps_temp_id = 1',
  );
  const revisionRow = positionalInsert(revisions, ['entityType', 'entityId', 'version', 'previous', 'changedAt']);
  const insertRevision = db.prepare(revisionRow.sql);
  const revisionsAfter = db.prepare<{ version: number; previous: string; changedAt: number }>(
    'SELECT version, previous, changed_at AS "changedAt" FROM revisions WHERE entity_type = ? AND entity_id = ? AND version > ? ORDER BY version DESC',
  );

  const seqState = (): SeqState | undefined => db.state()?.seq as SeqState | undefined;
  const prefetchedOps = db.prepare<OpRow>(
    `SELECT ${entryColumns} FROM op_log WHERE practice_id = ? AND op_id ${inTextList(db)}`,
  );
  const prefetchedTemps = db.prepare<{ entityType: EntityType; tempId: string; realId: number }>(
    // Every entity type named, so the look-up walks op_log_temp (practice, type, temp id), not the
    // practice's whole map.
    `SELECT entity_type AS "entityType", temp_id AS "tempId", real_id AS "realId" FROM op_log WHERE practice_id = ? AND entity_type IN (${ENTITY_TYPES.map((t) => `'${t}'`).join(', ')}) AND temp_id ${inTextList(db)} AND maps_temp_id = 1`,
  );
  /** What `prefetch` read, by opId and by `entityType:tempId`, for the practice it read them for. */
  interface Known {
    practiceId: number;
    ops: Map<string, OpRow | null>;
    /** Temp ids asked about: one absent from `temps` of a type has no row of that type. */
    tempIds: Set<string>;
    /** Real ids by temp id, per entity type. */
    temps: Record<EntityType, Map<string, number>>;
  }
  const known = (practiceId: number): Known | undefined => {
    const found = db.state()?.known as Known | undefined;
    return found && found.practiceId === practiceId ? found : undefined;
  };
  const counted = (): void => {
    const state = seqState();
    if (state) state.writes++;
  };

  return {
    writeTransaction: async (fn) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.write(async () => {
            const first = postgres ? 1 : ((await readSeq.value<number>()) ?? 0) + 1;
            const state: SeqState = { next: first, writes: 0 };
            const scope = db.state();
            if (scope === undefined) throw new Error('db.write ran its function outside a scope');
            scope.seq = state;
            const result = await fn();
            const count = state.next - first;
            if (count === 0) return result;
            if (!postgres) {
              await storeSeq.run([state.next - 1]);
              return result;
            }
            const last = await bumpSeq.value<number>([count]);
            if (last === undefined) throw new Error(`counter ${CHANGE_SEQ} missing: database not migrated?`);
            for (const statement of renumber) await statement.run([last - count]);
            return result;
          });
        } catch (err) {
          if (attempt >= MAX_WRITE_ATTEMPTS || !retryable(err)) throw err;
        }
      }
    },
    writeCount: () => seqState()?.writes ?? 0,
    nextSeq: () => {
      const state = seqState();
      if (!state) throw new Error('nextSeq() outside writeTransaction()');
      state.writes++;
      return postgres ? -state.next++ : state.next++;
    },
    reserveSeq: async (count) => {
      if (seqState()) throw new Error('reserveSeq() inside writeTransaction(): use nextSeq()');
      const last = await bumpSeq.value<number>([count]);
      if (last === undefined) throw new Error(`counter ${CHANGE_SEQ} missing: database not migrated?`);
      return last - count + 1;
    },
    currentSeq: async () => (await readSeq.value<number>()) ?? 0,
    prefetched: (practiceId, opId) => known(practiceId)?.ops.has(opId) ?? false,
    findOp: (practiceId, opId, fresh = false) => {
      const memory = known(practiceId);
      const cached = fresh ? undefined : memory?.ops.get(opId);
      const row = cached !== undefined ? cached : findOp.get([practiceId, opId]);
      return andThen(row, (r) => {
        if (r && memory) memory.ops.set(opId, r);
        return r ? { entityType: r.entityType, operation: r.operation, result: storedResult(r) } : undefined;
      });
    },
    recordOp: (entry) => {
      counted();
      const memory = known(entry.practiceId);
      if (memory) {
        const { opId, entityType, operation, realId, version } = entry;
        memory.ops.set(opId, {
          opId,
          entityType,
          operation,
          realId,
          version,
          tempId: entry.tempId ?? null,
          result: null,
        });
        if (entry.mapsTempId && entry.tempId !== undefined) memory.temps[entityType].set(entry.tempId, realId);
      }
      return insertOp.run(
        opRow.values({
          practiceId: entry.practiceId,
          opId: entry.opId,
          userId: entry.userId,
          entityType: entry.entityType,
          operation: entry.operation,
          realId: entry.realId,
          version: entry.version,
          tempId: entry.tempId ?? null,
          mapsTempId: entry.mapsTempId ? 1 : 0,
          createdAt: entry.now,
        }),
      );
    },
    findTempId: (practiceId, entityType, tempId) => {
      const memory = known(practiceId);
      const cached = memory?.temps[entityType].get(tempId);
      if (cached !== undefined || memory?.tempIds.has(tempId)) return cached;
      return findTemp.value<number>([practiceId, entityType, tempId]);
    },
    addRevision: (entityType, entityId, version, previous, now) => {
      counted();
      return insertRevision.run(
        revisionRow.values({ entityType, entityId, version, previous: JSON.stringify(previous), changedAt: now }),
      );
    },
    prefetch: async (practiceId, opIds, tempIds) => {
      const state = db.state();
      if (!state) return;
      const found: Known = {
        practiceId,
        ops: new Map(opIds.map((id) => [id, null])),
        tempIds: new Set(tempIds),
        temps: { users: new Map(), pets: new Map(), appointments: new Map() },
      };
      for (const row of await prefetchedOps.all([practiceId, textListParam(db, opIds)])) found.ops.set(row.opId, row);
      if (tempIds.length > 0) {
        for (const row of await prefetchedTemps.all([practiceId, textListParam(db, tempIds)]))
          found.temps[row.entityType].set(row.tempId, row.realId);
      }
      state.known = found;
    },
    revisionsAfter: async (entityType, entityId, afterVersion) =>
      (await revisionsAfter.all([entityType, entityId, afterVersion])).map((r) => ({
        version: r.version,
        previous: JSON.parse(r.previous) as Fields,
        changedAt: r.changedAt,
      })),
  };
}
