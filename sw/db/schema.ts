/**
 * The one file that knows the IndexedDB layout: the DBSchema, DB_VERSION and the upgrade steps.
 * Everything above it (replica, queue, conflicts, meta) goes through `SyncDb`.
 *
 * Version 2 (this one): replica records are stored under a **local key** that never changes: the
 * server id for records that came from the server, the temp id for records created on this device.
 * An acknowledgement changes fields (`id`, `version`, `_serverId`), never keys. The in-flight mark
 * is one `sync_batches` record per pushed batch instead of a status written on every row.
 */
import { openDB, unwrap, wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import {
  canonicalAppointmentType,
  isTempId,
  type Appointment,
  type ConflictRecord,
  type EntityId,
  type EntityType,
  type ErrorInfo,
  type OperationKind,
  type Pet,
  type QueueStatus,
  type User,
} from '../../src/protocol/index.ts';
import { recordsWithSeveralRows } from '../core/coalesce.ts';

export const DB_NAME = 'smartdmv-offline';
export const DB_VERSION = 2;

/**
 * A record of the local replica: the entity as the screens see it (server state with the user's
 * pending operations applied on top), plus bookkeeping the page never sees.
 */
export type ReplicaRecord<T> = T & {
  _pending: boolean;
  _conflict: boolean;
  /**
   * The last state the server acknowledged, kept only while local changes are pending (to rebase
   * them on a pull and to undo a discarded one); null for a record the server has never seen.
   */
  _server?: T | null;
  /** Records created on this device: the temp id they were created with, which is their local key for good. */
  _tempId?: string;
  /** ...and their server id once the server acknowledged them (indexed: lookups by server id). */
  _serverId?: number;
};

/** The queue row statuses that are stored; `in_flight` is derived from `sync_batches`. */
export type StoredStatus = Exclude<QueueStatus, 'in_flight'>;

/** A queue row before IndexedDB gives it its id. */
export interface NewOperation {
  opId: string;
  operation: OperationKind;
  entityType: EntityType;
  /** The record's local key (a temp id for records created on this device, for good). */
  entityId: EntityId;
  tempId: string | null;
  data: Record<string, unknown> | null;
  baseVersion: number | null;
  timestamp: number;
  userId: number | null;
  practiceId: number;
  tenantId: string;
  status: StoredStatus;
  attempts: number;
  lastError: ErrorInfo | null;
  retryable: boolean;
}

/** A row of `sync_operations` as stored (its id is its position in the queue). */
export interface StoredOperation extends NewOperation {
  id: number;
}

/** A pushed batch whose answer is not applied yet: its rows are in flight. Keyed by its first row id. */
export interface InFlightBatch {
  id: number;
  opIds: number[];
  sentAt: number;
}

export type StoredConflict = Omit<ConflictRecord, 'id'> & { id?: number };

/** Version 1 moved a record to its real id and kept the temp id here; still read, no longer written. */
export interface IdAlias {
  tempId: string;
  entityType: EntityType;
  realId: number;
}

/**
 * `meta` entry kept by the queue (sw/store/queue.ts): record keys (core/coalesce.ts recordKey)
 * of records with more than one queued row.
 */
export const SEVERAL_ROWS_KEY = 'recordsWithSeveralRows';

export interface MetaEntry {
  key: string;
  value: unknown;
}

export interface SyncDbSchema extends DBSchema {
  users: { key: EntityId; value: ReplicaRecord<User>; indexes: { role: string; serverId: number } };
  pets: { key: EntityId; value: ReplicaRecord<Pet>; indexes: { ownerId: EntityId; serverId: number } };
  appointments: {
    key: EntityId;
    value: ReplicaRecord<Appointment>;
    indexes: { date: string; petId: EntityId; serverId: number };
  };
  sync_operations: {
    key: number;
    value: StoredOperation;
    indexes: { status: StoredStatus; record: [EntityType, EntityId] };
  };
  sync_batches: { key: number; value: InFlightBatch };
  conflicts: { key: number; value: StoredConflict; indexes: { operationId: number } };
  id_aliases: { key: string; value: IdAlias };
  meta: { key: string; value: MetaEntry };
}

export type SyncDb = IDBPDatabase<SyncDbSchema>;
type UpgradeTx = IDBPTransaction<SyncDbSchema, StoreNames<SyncDbSchema>[], 'versionchange'>;

/**
 * Replica stores: out-of-line keys (the local key, see localKeyOf), and only the indexes a screen
 * or a rule needs: appointments by day and by pet, pets by owner, users by role. `serverId` is
 * sparse: only records created on this device carry `_serverId`.
 */
function createReplicaStores(db: IDBPDatabase<SyncDbSchema>): void {
  const users = db.createObjectStore('users');
  users.createIndex('role', 'role');
  users.createIndex('serverId', '_serverId');
  const pets = db.createObjectStore('pets');
  pets.createIndex('ownerId', 'ownerId');
  pets.createIndex('serverId', '_serverId');
  const appointments = db.createObjectStore('appointments');
  appointments.createIndex('date', 'date');
  appointments.createIndex('petId', 'petId');
  appointments.createIndex('serverId', '_serverId');
}

function createLayout(db: IDBPDatabase<SyncDbSchema>): void {
  createReplicaStores(db);
  const ops = db.createObjectStore('sync_operations', { keyPath: 'id', autoIncrement: true });
  ops.createIndex('status', 'status');
  ops.createIndex('record', ['entityType', 'entityId']);
  db.createObjectStore('sync_batches', { keyPath: 'id' });
  const conflicts = db.createObjectStore('conflicts', { keyPath: 'id', autoIncrement: true });
  conflicts.createIndex('operationId', 'operationId');
  db.createObjectStore('id_aliases', { keyPath: 'tempId' });
  db.createObjectStore('meta', { keyPath: 'key' });
}

/** The key a replica record is stored under: its temp id if it was created here, else its server id. */
export function localKeyOf(record: { id: EntityId; _tempId?: string }): EntityId {
  return record._tempId ?? record.id;
}

type Row = Record<string, unknown>;

/** Appointment types in the canonical spelling (version 1 stored whatever the form sent). */
function withCanonicalType<T extends Row | null | undefined>(row: T): T {
  if (!row || typeof row.type !== 'string') return row;
  const canonical = canonicalAppointmentType(row.type);
  return canonical && canonical !== row.type ? { ...row, type: canonical } : row;
}

/** A version-1 replica record in the version-2 form. */
export function migrateV1Record(entityType: EntityType, record: Row): Row {
  const { _server, ...rest } = record;
  const out: Row = entityType === 'appointments' ? withCanonicalType(rest) : rest;
  // Version 1 kept a full server copy on every record; version 2 only while changes are pending.
  if (out._pending === true) {
    const server = (_server ?? null) as Row | null;
    out._server = entityType === 'appointments' ? withCanonicalType(server) : server;
  }
  if (isTempId(out.id)) out._tempId = out.id;
  return out;
}

/** A version-1 queue row in the version-2 form (the in-flight mark moved to `sync_batches`). */
export function migrateV1Operation(row: Row): Row {
  const out: Row = { ...row, status: row.status === 'in_flight' ? 'pending' : row.status };
  if (row.entityType === 'appointments') out.data = withCanonicalType(row.data as Row | null);
  return out;
}

async function migrateFromV1(db: IDBPDatabase<SyncDbSchema>, tx: UpgradeTx): Promise<void> {
  // The replica stores change their key path: read everything, recreate them, write it back.
  const kept = new Map<EntityType, Row[]>();
  for (const entityType of ['users', 'pets', 'appointments'] as const) {
    kept.set(entityType, await tx.objectStore(entityType).getAll());
    db.deleteObjectStore(entityType);
  }
  createReplicaStores(db);
  for (const [entityType, records] of kept) {
    const store = tx.objectStore(entityType);
    await Promise.all(
      records.map((record) => {
        const migrated = migrateV1Record(entityType, record) as ReplicaRecord<Row> & { id: EntityId };
        // A migrated row is not yet typed: it is written as is and validated when read back, like every record.
        return wrap(unwrap(store).put(migrated, localKeyOf(migrated)));
      }),
    );
  }
  const rows: StoredOperation[] = [];
  let cursor = await tx.objectStore('sync_operations').openCursor();
  while (cursor) {
    const row = migrateV1Operation(cursor.value as unknown as Row) as unknown as StoredOperation;
    rows.push(row);
    await cursor.update(row);
    cursor = await cursor.continue();
  }
  // Version 1 folded rows only at push time: a record may have several.
  await tx.objectStore('meta').put({ key: SEVERAL_ROWS_KEY, value: recordsWithSeveralRows(rows) });
  db.createObjectStore('sync_batches', { keyPath: 'id' });
}

/**
 * Upgrade steps; each runs once, in order, inside the versionchange transaction. A failing step
 * aborts the upgrade, so the database stays at its old version with its data untouched.
 */
export function upgradeSyncDb(db: IDBPDatabase<SyncDbSchema>, oldVersion: number, tx: UpgradeTx): void {
  if (oldVersion < 1) {
    createLayout(db);
    return;
  }
  if (oldVersion < 2) {
    migrateFromV1(db, tx).catch((err: unknown) => {
      console.error('[SyncQueue] database upgrade failed; keeping version', oldVersion, err);
      try {
        tx.abort();
      } catch {
        // already finished
      }
    });
  }
}

export function openSyncDb(name = DB_NAME): Promise<SyncDb> {
  return openDB<SyncDbSchema>(name, DB_VERSION, {
    upgrade: (db, oldVersion, _newVersion, tx) => upgradeSyncDb(db, oldVersion, tx),
    blocking: (_current, _next, event) => {
      // A newer worker wants to upgrade: let it, by closing our connection.
      (event.target as IDBDatabase | null)?.close();
    },
  });
}
