/**
 * The contract every entity model fulfils (`sync/apply.ts` is written once against it) and the
 * helpers the three models share.
 *
 * The per-row statements of push and pull are raw prepared statements generated from the
 * drizzle tables (db/statements.ts); updates and REST lists use drizzle's query builder (they
 * build their SET list or filters per call, and are rare next to creates and pulls).
 */
import type { EntityType } from '../../src/protocol/index.ts';
import type { Orm } from '../db/orm.ts';
import type { appointments, pets, users } from '../db/schema.ts';
import { insertSql, selectList, tableName } from '../db/statements.ts';
import type { Fields, WireRecord } from './wire.ts';

/** Version, time and change sequence number a write stamps on the row. */
export interface RowMeta {
  version: number;
  now: number;
  seq: number;
  /** When the edit was made on the device (the operation's timestamp, at most `now`). */
  editedAt: number;
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
  find(practiceId: number, id: number): WireRecord | undefined;
  /** The few columns reference checks need, if the row belongs to the practice. */
  refTarget(practiceId: number, id: number): RefTarget | undefined;
  insert(owner: Owner, fields: Fields, meta: RowMeta): WireRecord;
  update(id: number, changes: Fields, meta: RowMeta): WireRecord;
  tombstone(id: number, meta: RowMeta): WireRecord;
  /** Rows with seq > afterSeq and updatedAt > sinceMs, in seq order. */
  changesSince(practiceId: number, afterSeq: number, sinceMs: number, limit: number): ChangeRow[];
  /** One page of a REST list, in the list's order (appointments by date, others by name; then id). */
  list(practiceId: number, filter: ListFilter, page: PageRequest): ListPage;
  /**
   * The record with its derived fields computed from current data (appointments.clientId from
   * the pet's owner), for a record rebuilt from history (a replayed result).
   */
  withDerived(practiceId: number, record: WireRecord): WireRecord;
  /** When the row's current version was edited, by the editing device's clock (ms); conflicts only. */
  editedAt(id: number): number | undefined;
}

export interface PetsModel extends EntityModel {
  /** Names of a client's live pets (at most `limit`, by name) and how many there are. */
  liveByOwner(practiceId: number, ownerId: number, limit: number): { names: string[]; count: number };
}

/**
 * Where the double-booking check looks: bookings of this practitioner or pet that start in
 * [from, to) and end after `start` (ms).
 */
export interface BookingWindow {
  practitionerId: number | null;
  petId: number;
  from: number;
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
  upcomingOfPet(practiceId: number, petId: number, from: number, limit: number): WireRecord[];
  /**
   * The candidates of the double-booking check: bookings of the window's practitioner or pet
   * that start in [from, to) and end after `start`, not deleted and not kept on purpose
   * (overlapAllowed), by date, at most MAX_BOOKING_CANDIDATES per practitioner and per pet, each
   * once. Status and the final word are left to the protocol's rule (findClashes).
   */
  bookingsIn(practiceId: number, window: BookingWindow): WireRecord[];
}

export interface EntityModels {
  readonly users: EntityModel;
  readonly pets: PetsModel;
  readonly appointments: AppointmentsModel;
}

/** Rows fetched for a page: one more than asked tells whether another page follows. */
export function toPage<R>(rows: R[], limit: number, toRecord: (row: R) => WireRecord, keyOf: (row: R) => ListKey): ListPage {
  const more = rows.length > limit;
  if (more) rows.length = limit;
  return { records: rows.map(toRecord), next: more ? keyOf(rows[rows.length - 1]!) : null };
}

// ---------------------------------------------------------------- shared helpers

/** Insert values: every field is required by the writable schema, so a missing one is a bug. */
export function complete<T extends object>(entityType: EntityType, partial: Partial<T>, keys: readonly string[]): T {
  for (const key of keys) {
    if (!(key in partial)) throw new Error(`${entityType}.${key} missing on insert`);
  }
  return partial as T;
}

export function stamp(meta: RowMeta) {
  return { version: meta.version, updatedAt: meta.now, seq: meta.seq, editedAt: meta.editedAt };
}

/**
 * The per-row statements of the sync hot path (raw, see db/statements.ts); rows come back in
 * the table's `$inferSelect` shape (minus `exclude`).
 */
export function hotStatements<T extends typeof users | typeof pets | typeof appointments>(
  orm: Orm,
  table: T,
  insertKeys: readonly (keyof T['$inferInsert'] & string)[],
  exclude: readonly (keyof T['$inferSelect'])[] = [],
) {
  type Row = T['$inferSelect'];
  const db = orm.$client;
  const name = tableName(table);
  const columns = selectList(table, exclude);
  const byId = db.prepare<{ id: number; practiceId: number }, Row>(`SELECT ${columns} FROM ${name} WHERE id = @id AND practice_id = @practiceId`);
  const changes = db.prepare<{ practiceId: number; afterSeq: number; sinceMs: number; limit: number }, Row>(
    `SELECT ${columns} FROM ${name} WHERE practice_id = @practiceId AND seq > @afterSeq AND updated_at > @sinceMs ORDER BY seq LIMIT @limit`,
  );
  const insert = db.prepare<object>(insertSql(table, insertKeys));
  const editedAt = db.prepare<[number], number>(`SELECT edited_at FROM ${name} WHERE id = ?`).pluck();
  return {
    byId: (practiceId: number, id: number): Row | undefined => byId.get({ id, practiceId }),
    editedAt: (id: number): number | undefined => editedAt.get(id),
    changes: (practiceId: number, afterSeq: number, sinceMs: number, limit: number): Row[] => changes.all({ practiceId, afterSeq, sinceMs, limit }),
    insert: (values: object): number => Number(insert.run(values).lastInsertRowid),
  };
}

export const SYNCED_INSERT_KEYS = ['practiceId', 'version', 'createdAt', 'updatedAt', 'seq', 'editedAt'] as const;

/**
 * A new row: its fields plus the synced columns, id filled in after the insert. One object is
 * both the statement's named parameters and the row the record is built from. (Object.assign,
 * not spreads: V8 in Node 20 is very slow at `{ ...a, ...b }` objects on this path.)
 */
export function newRow<F extends object>(fields: F, practiceId: number, meta: RowMeta) {
  return Object.assign({ id: 0 }, fields, { practiceId, version: meta.version, createdAt: meta.now, updatedAt: meta.now, deletedAt: null, seq: meta.seq, editedAt: meta.editedAt });
}
