/**
 * The contract every entity model fulfils (`sync/apply.ts` is written once against it) and the
 * helpers the three models share.
 *
 * The per-row statements of push and pull are raw prepared statements generated from the
 * drizzle tables (db/statements.ts); updates and REST lists use drizzle's query builder (they
 * build their SET list or filters per call, and are rare next to creates and pulls).
 */
import type { EntityType } from '../../src/protocol/index.ts';
import { andThen, type Database, type MaybePromise } from '../db/engine.ts';
import type { appointments, pets, users } from '../db/schema.ts';
import { columnName, positionalInsert, selectList, tableName } from '../db/statements.ts';
import { toColumns, type ColumnReader, type Fields, type WireRecord } from './wire.ts';

/** Version, time and change sequence number a write stamps on the row. */
export interface RowMeta {
  version: number;
  now: number;
  seq: number;
  /** When the edit was made on the device (the operation's timestamp, at most `now`). */
  editedAt: number;
  /** Who made it (the signed-in user). */
  editedBy: number;
}

/** Who made a row's current version, and when by their device's clock (a conflict's server side). */
export interface LastEdit {
  at: number;
  /** Null for rows written before this was recorded (migration 9), or by the seed. */
  by: number | null;
}

export interface Owner {
  practiceId: number;
  tenantId: string;
}

export interface ChangeRow {
  seq: number;
  record: WireRecord;
}

/** REST list filter, already resolved to real ids and ms. */
export interface ListFilter {
  equals: Record<string, number | string>;
  /** appointments.date range [from, to) in ms. */
  from?: number;
  to?: number;
  includeDeleted: boolean;
}

/** Where a list page starts: after the row with this sort key (date ms, or name) and id. */
export interface ListKey {
  key: number | string;
  id: number;
}

export interface ListPage {
  records: WireRecord[];
  /** The last row's key when more rows follow, else null. */
  next: ListKey | null;
}

/** Keyset paging: at most `limit` rows after `after`, in the list's order. */
export interface PageRequest {
  limit: number;
  after?: ListKey;
}

/** What a reference check needs of a referenced row (cheaper than the whole record). */
export interface RefTarget {
  id: number;
  deleted: boolean;
  /** users only. */
  role?: string;
  /** pets only. */
  ownerId?: number;
}

export interface EntityModel {
  readonly type: EntityType;
  /** Fields a change can touch (client-writable and server-derived), in record order. */
  readonly fields: readonly string[];
  /** The row (tombstones included) if it belongs to the practice. */
  find(practiceId: number, id: number): Promise<WireRecord | undefined>;
  /**
   * `find` for a change of the row, inside a write transaction: PostgreSQL locks the row to the
   * commit (FOR UPDATE), so the version checked is the version changed. (SQLite: one writer.)
   */
  findForWrite(practiceId: number, id: number): Promise<WireRecord | undefined>;
  /**
   * The few columns reference checks need, if the row belongs to the practice. PostgreSQL holds
   * it FOR SHARE to the commit: a concurrent delete of the referenced row waits, then sees the
   * reference (a pet's new appointment, a client's new pet).
   */
  refTarget(practiceId: number, id: number): MaybePromise<RefTarget | undefined>;
  insert(owner: Owner, fields: Fields, meta: RowMeta): MaybePromise<WireRecord>;
  update(id: number, changes: Fields, meta: RowMeta): Promise<WireRecord>;
  tombstone(id: number, meta: RowMeta): Promise<WireRecord>;
  /** Rows with seq > afterSeq and updatedAt > sinceMs, in seq order. */
  changesSince(practiceId: number, afterSeq: number, sinceMs: number, limit: number): Promise<ChangeRow[]>;
  /** One page of a REST list, in the list's order (appointments by date, others by name; then id). */
  list(practiceId: number, filter: ListFilter, page: PageRequest): Promise<ListPage>;
  /**
   * The record with its derived fields computed from current data (appointments.clientId from
   * the pet's owner), for a record rebuilt from history (a replayed result).
   */
  withDerived(practiceId: number, record: WireRecord): Promise<WireRecord>;
  /** Who edited the row's current version and when, by the editing device's clock (ms); conflicts only. */
  lastEdit(id: number): Promise<LastEdit | undefined>;
}

export interface PetsModel extends EntityModel {
  /** Names of a client's live pets (at most `limit`, by name) and how many there are. */
  liveByOwner(practiceId: number, ownerId: number, limit: number): Promise<{ names: string[]; count: number }>;
}

/**
 * Where the double-booking check looks: bookings of this practitioner or pet that start in
 * [from, to) and end after `start` (ms), and those longer than LONG_BOOKING_MINUTES (schema.ts)
 * that start in [longFrom, to).
 */
export interface BookingWindow {
  practitionerId: number | null;
  petId: number;
  from: number;
  longFrom: number;
  start: number;
  to: number;
  /** The booking being checked (an update), left out. */
  exceptId: number | null;
}

export interface AppointmentsModel extends EntityModel {
  /**
   * A pet's upcoming appointments (date ≥ `from`, not deleted, not cancelled/completed/no-show),
   * by date, at most `limit`.
   */
  upcomingOfPet(practiceId: number, petId: number, from: number, limit: number): Promise<WireRecord[]>;
  /**
   * The candidates of the double-booking check: bookings of the window's practitioner or pet
   * that start in the window (see BookingWindow) and end after `start`, not deleted and not kept on purpose
   * (overlapAllowed), by date, at most MAX_BOOKING_CANDIDATES per index range (two per practitioner
   * and two per pet), each once. Status and the final word are left to the protocol's rule (findClashes).
   */
  bookingsIn(practiceId: number, window: BookingWindow): MaybePromise<WireRecord[]>;
  /**
   * PostgreSQL: takes these advisory locks (sync/double-booking.ts: bookingLockKeys) to the end
   * of the write transaction, in ascending order, skipping those it holds already. SQLite: nothing
   * (one writer at a time).
   */
  lockBookings(keys: readonly number[]): MaybePromise<void>;
  /** Whether `lockBookings` does anything (callers skip computing keys when it does not). */
  readonly locksBookings: boolean;
}

export interface EntityModels {
  readonly users: EntityModel;
  readonly pets: PetsModel;
  readonly appointments: AppointmentsModel;
}

/** Rows fetched for a page: one more than asked tells whether another page follows. */
export function toPage<R>(
  rows: R[],
  limit: number,
  toRecord: (row: R) => WireRecord,
  keyOf: (row: R) => ListKey,
): ListPage {
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const last = rows.at(-1);
  return { records: rows.map(toRecord), next: more && last !== undefined ? keyOf(last) : null };
}

// ---------------------------------------------------------------- shared helpers

/**
 * Insert values: the fields read into columns (`toColumns`), every one of `keys` present. Each is
 * required by the writable schema, so a missing one is a bug.
 */
export function insertColumns<T extends object, K extends keyof T & string>(
  entityType: EntityType,
  fields: Fields,
  readers: { [P in keyof T]?: ColumnReader<T[P]> },
  keys: readonly K[],
): Required<Pick<T, K>> {
  const partial = toColumns<T>(entityType, fields, readers);
  for (const key of keys) {
    if (!(key in partial)) throw new Error(`${entityType}.${key} missing on insert`);
  }
  return partial as Required<Pick<T, K>>;
}

export function stamp(meta: RowMeta): {
  version: number;
  updatedAt: number;
  seq: number;
  editedAt: number;
  editedBy: number;
} {
  return {
    version: meta.version,
    updatedAt: meta.now,
    seq: meta.seq,
    editedAt: meta.editedAt,
    editedBy: meta.editedBy,
  };
}

/**
 * The per-row statements of the sync hot path (raw, see db/statements.ts); rows come back in
 * the table's `$inferSelect` shape (minus `exclude`).
 */
export function hotStatements<T extends typeof users | typeof pets | typeof appointments>(
  db: Database,
  table: T,
  insertKeys: readonly (keyof T['$inferInsert'] & string)[],
  exclude: readonly (keyof T['$inferSelect'])[] = [],
) {
  type Row = T['$inferSelect'];
  const name = tableName(table);
  const columns = selectList(table, exclude);
  const byId = db.prepare<Row>(`SELECT ${columns} FROM ${name} WHERE id = @id AND practice_id = @practiceId`);
  const byIdForWrite = db.prepare<Row>(
    `SELECT ${columns} FROM ${name} WHERE id = @id AND practice_id = @practiceId${forUpdate(db)}`,
  );
  const changes = db.prepare<Row>(
    `SELECT ${columns} FROM ${name} WHERE practice_id = @practiceId AND seq > @afterSeq AND updated_at > @sinceMs ORDER BY seq LIMIT @limit`,
  );
  const inserted = positionalInsert(table, insertKeys);
  const insert = db.prepareInsert(inserted.sql);
  const lastEdit = lastEditOf(db, name);
  const update = rowUpdate<Row>(db, table, columns);
  return {
    byId: (practiceId: number, id: number): MaybePromise<Row | undefined> => byId.get({ id, practiceId }),
    byIdForWrite: (practiceId: number, id: number): MaybePromise<Row | undefined> =>
      byIdForWrite.get({ id, practiceId }),
    lastEdit,
    changes: (practiceId: number, afterSeq: number, sinceMs: number, limit: number): MaybePromise<Row[]> =>
      changes.all({ practiceId, afterSeq, sinceMs, limit }),
    insert: (row: Parameters<typeof inserted.values>[0]): MaybePromise<number> => insert.insert(inserted.values(row)),
    update,
  };
}

/** Sets `values` (TypeScript keys) on row `id` and returns the row as stored (`returning` columns). */
export function rowUpdate<Row>(
  db: Database,
  table: typeof users | typeof pets | typeof appointments,
  returning: string,
) {
  const updates = updateStatements(db, table, returning);
  return async (id: number, values: Record<string, unknown>): Promise<Row> => {
    const row = (await updates(Object.keys(values)).get(Object.assign({}, values, { id }))) as Row | undefined;
    if (!row) throw new Error(`${tableName(table)} ${id} vanished during its update`);
    return row;
  };
}

/**
 * `UPDATE t SET col = @key, ... WHERE id = @id RETURNING <columns>`, one statement per set of
 * keys (a handful: the fields a change touches plus the stamp), made on first use.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T types the column keys in the body
function updateStatements<T extends typeof users | typeof pets | typeof appointments>(
  db: Database,
  table: T,
  returning: string,
) {
  const cache = new Map<string, ReturnType<Database['prepare']>>();
  return (keys: string[]) => {
    const signature = keys.join(',');
    let stmt = cache.get(signature);
    if (!stmt) {
      const set = keys.map((k) => `${columnName(table, k as keyof T['$inferSelect'] & string)} = @${k}`).join(', ');
      stmt = db.prepare(`UPDATE ${tableName(table)} SET ${set} WHERE id = @id RETURNING ${returning}`);
      if (cache.size < 500) cache.set(signature, stmt);
    }
    return stmt;
  };
}

/** Row-lock clauses of PostgreSQL (empty on SQLite, where one writer at a time needs none). */
export const forUpdate = (db: Database, of?: string): string =>
  db.dialect === 'postgres' ? ` FOR UPDATE${of ? ` OF ${of}` : ''}` : '';
export const forShare = (db: Database): string => (db.dialect === 'postgres' ? ' FOR SHARE' : '');

/**
 * A model's `refTarget`: the row's id, whether it is deleted and the one more column checks read of
 * it (`also`: a user's role, a pet's owner), if it belongs to the practice. `share`: held FOR SHARE
 * on PostgreSQL (see EntityModel.refTarget); nothing references appointments, so they need not be.
 */
export function refTargets(
  db: Database,
  table: string,
  also: { column: string; field: 'role' | 'ownerId' } | null,
  share = true,
): EntityModel['refTarget'] {
  const alsoSelect = also ? `, ${also.column} AS "${also.field}"` : '';
  const target = db.prepare<{ id: number; deletedAt: number | null; role?: string; ownerId?: number }>(
    `SELECT id, deleted_at AS "deletedAt"${alsoSelect} FROM ${table} WHERE id = @id AND practice_id = @practiceId` +
      (share ? forShare(db) : ''),
  );
  return (practiceId, id) =>
    andThen(target.get({ id, practiceId }), (row) => {
      if (!row) return undefined;
      const found: RefTarget = { id: row.id, deleted: row.deletedAt !== null };
      if (row.role !== undefined) found.role = row.role;
      if (row.ownerId !== undefined) found.ownerId = row.ownerId;
      return found;
    });
}

/** A REST list query: `where` parts joined with AND, their params, and keyset paging. */
export function listQuery(
  select: string,
  where: string[],
  params: Record<string, unknown>,
  order: [string, string],
  page: PageRequest,
) {
  if (page.after) {
    where.push(`(${order[0]}, ${order[1]}) > (@afterKey, @afterId)`);
    params.afterKey = page.after.key;
    params.afterId = page.after.id;
  }
  params.limit = page.limit + 1;
  return { sql: `${select} WHERE ${where.join(' AND ')} ORDER BY ${order[0]}, ${order[1]} LIMIT @limit`, params };
}

export const SYNCED_INSERT_KEYS = [
  'practiceId',
  'version',
  'createdAt',
  'updatedAt',
  'seq',
  'editedAt',
  'editedBy',
] as const;

/** `lastEdit` of a model: its row's edited_at and edited_by. */
export function lastEditOf(db: Database, table: string): (id: number) => Promise<LastEdit | undefined> {
  const statement = db.prepare<{ at: number; by: number | null }>(
    `SELECT edited_at AS at, edited_by AS by FROM ${table} WHERE id = ?`,
  );
  return async (id) => statement.get([id]);
}

/**
 * A new row: its fields plus the synced columns, id filled in after the insert. One object is
 * both the statement's parameters and the row the record is built from. The synced columns are
 * set one by one: Object.assign from a second literal cost ~1.5 µs a create (Node 20's V8),
 * and spreads more still.
 */
export function newRow<F extends object>(fields: F, practiceId: number, meta: RowMeta) {
  const row = Object.assign({ id: 0 }, fields) as { id: number } & F & SyncedColumns;
  row.practiceId = practiceId;
  row.version = meta.version;
  row.createdAt = meta.now;
  row.updatedAt = meta.now;
  row.deletedAt = null;
  row.seq = meta.seq;
  row.editedAt = meta.editedAt;
  row.editedBy = meta.editedBy;
  return row;
}

/** The columns every synced row has besides its own fields (set by newRow). */
interface SyncedColumns {
  practiceId: number;
  version: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  seq: number;
  editedAt: number;
  editedBy: number;
}

/** How a model reads its rows: by id, by id inside a write, and the changes after a seq. */
export interface RowReads<Row> {
  byId(practiceId: number, id: number): MaybePromise<Row | undefined>;
  byIdForWrite(practiceId: number, id: number): MaybePromise<Row | undefined>;
  changes(practiceId: number, afterSeq: number, sinceMs: number, limit: number): MaybePromise<Row[]>;
}

/** A model's `find`, `findForWrite` and `changesSince`: its rows read, each made a record. */
export function recordReads<Row extends { seq: number }>(
  reads: RowReads<Row>,
  toRecord: (row: Row) => WireRecord,
): Pick<EntityModel, 'find' | 'findForWrite' | 'changesSince'> {
  return {
    find: async (practiceId, id) => {
      const row = await reads.byId(practiceId, id);
      return row ? toRecord(row) : undefined;
    },
    findForWrite: async (practiceId, id) => {
      const row = await reads.byIdForWrite(practiceId, id);
      return row ? toRecord(row) : undefined;
    },
    changesSince: async (practiceId, afterSeq, sinceMs, limit) =>
      (await reads.changes(practiceId, afterSeq, sinceMs, limit)).map((row) => ({
        seq: row.seq,
        record: toRecord(row),
      })),
  };
}

/**
 * A model's `update` and `tombstone`: the change's columns (or the deletion time) plus the stamp,
 * written by `write` (which answers the record as stored).
 */
export function recordWrites<T extends object>(
  entityType: EntityType,
  readers: { [P in keyof T]?: ColumnReader<T[P]> },
  write: (id: number, values: Record<string, unknown>) => Promise<WireRecord>,
): Pick<EntityModel, 'update' | 'tombstone'> {
  return {
    update: (id, f, meta) => write(id, Object.assign(toColumns<T>(entityType, f, readers), stamp(meta))),
    tombstone: (id, meta) => write(id, Object.assign({ deletedAt: meta.now }, stamp(meta))),
  };
}

/** The start of a REST list's WHERE: the practice's rows, live ones only unless asked (`alias`: e.g. `a.`). */
export function listWhere(practiceId: number, filter: ListFilter, alias = '') {
  const where = [`${alias}practice_id = @practiceId`];
  const params: Record<string, unknown> = { practiceId };
  if (!filter.includeDeleted) where.push(`${alias}deleted_at IS NULL`);
  return { where, params };
}

/**
 * A model's REST `list`: in name order (then id), the practice's rows filtered on `column` when
 * the filter names `key` (users by role, pets by owner).
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Row types the rows read in the body
export function listByName<Row extends { name: string; id: number }>(
  db: Database,
  select: string,
  toRecord: (row: Row) => WireRecord,
  on: { key: string; column: string; type: 'number' | 'string' },
): EntityModel['list'] {
  return async (practiceId, filter, page) => {
    const { where, params } = listWhere(practiceId, filter);
    const value = filter.equals[on.key];
    if (typeof value === on.type) {
      where.push(`${on.column} = @${on.key}`);
      params[on.key] = value;
    }
    const query = listQuery(select, where, params, ['name', 'id'], page);
    const rows = await db.prepare<Row>(query.sql).all(query.params);
    return toPage(rows, page.limit, toRecord, (r) => ({ key: r.name, id: r.id }));
  };
}
