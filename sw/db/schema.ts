/**
 * The one file that knows the IndexedDB layout: the DBSchema, DB_VERSION and the upgrade function.
 * Everything above it (replica, queue, conflicts, meta) goes through `SyncDb`.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type {
  Appointment,
  ConflictRecord,
  EntityId,
  EntityType,
  ErrorInfo,
  OperationKind,
  Pet,
  QueueStatus,
  User,
} from '../../src/protocol/index.ts';

export const DB_NAME = 'smartdmv-offline';
export const DB_VERSION = 1;

/**
 * A record of the local replica: the entity as the screens see it (server state with the user's
 * pending operations applied on top), plus `_server`, the last state the server acknowledged.
 * Keeping `_server` lets us rebase pending changes on every pull and undo a discarded operation.
 */
export type ReplicaRecord<T> = T & {
  _pending: boolean;
  _conflict: boolean;
  _server: T | null;
};

/** A row of `sync_operations` as stored (the page sees the same fields, see QueuedOperationSchema). */
export interface StoredOperation {
  id?: number;
  opId: string;
  operation: OperationKind;
  entityType: EntityType;
  entityId: EntityId;
  tempId: string | null;
  data: Record<string, unknown> | null;
  baseVersion: number | null;
  timestamp: number;
  userId: number | null;
  practiceId: number;
  tenantId: string;
  status: QueueStatus;
  attempts: number;
  lastError: ErrorInfo | null;
  retryable: boolean;
}

export type StoredConflict = Omit<ConflictRecord, 'id'> & { id?: number };

export interface IdAlias {
  tempId: string;
  entityType: EntityType;
  realId: number;
}

export interface MetaEntry {
  key: string;
  value: unknown;
}

export interface SyncDbSchema extends DBSchema {
  users: { key: EntityId; value: ReplicaRecord<User>; indexes: { role: string } };
  pets: { key: EntityId; value: ReplicaRecord<Pet>; indexes: { ownerId: EntityId } };
  appointments: {
    key: EntityId;
    value: ReplicaRecord<Appointment>;
    indexes: { date: string; petId: EntityId; clientId: EntityId; practitionerId: EntityId };
  };
  sync_operations: {
    key: number;
    value: StoredOperation;
    indexes: { status: QueueStatus; record: [EntityType, EntityId] };
  };
  conflicts: { key: number; value: StoredConflict; indexes: { operationId: number } };
  id_aliases: { key: string; value: IdAlias };
  meta: { key: string; value: MetaEntry };
}

export type SyncDb = IDBPDatabase<SyncDbSchema>;
export type ReplicaStoreName = EntityType;

/** Upgrade steps, one per version; each runs once, in order, inside the versionchange transaction. */
export function upgradeSyncDb(db: IDBPDatabase<SyncDbSchema>, oldVersion: number): void {
  if (oldVersion < 1) {
    const users = db.createObjectStore('users', { keyPath: 'id' });
    users.createIndex('role', 'role');
    const pets = db.createObjectStore('pets', { keyPath: 'id' });
    pets.createIndex('ownerId', 'ownerId');
    const appointments = db.createObjectStore('appointments', { keyPath: 'id' });
    appointments.createIndex('date', 'date');
    appointments.createIndex('petId', 'petId');
    appointments.createIndex('clientId', 'clientId');
    appointments.createIndex('practitionerId', 'practitionerId');
    const ops = db.createObjectStore('sync_operations', { keyPath: 'id', autoIncrement: true });
    ops.createIndex('status', 'status');
    ops.createIndex('record', ['entityType', 'entityId']);
    const conflicts = db.createObjectStore('conflicts', { keyPath: 'id', autoIncrement: true });
    conflicts.createIndex('operationId', 'operationId');
    db.createObjectStore('id_aliases', { keyPath: 'tempId' });
    db.createObjectStore('meta', { keyPath: 'key' });
  }
}

export function openSyncDb(name = DB_NAME): Promise<SyncDb> {
  return openDB<SyncDbSchema>(name, DB_VERSION, {
    upgrade: (db, oldVersion) => upgradeSyncDb(db, oldVersion),
    blocking: (_current, _next, event) => {
      // A newer worker wants to upgrade: let it, by closing our connection.
      (event.target as IDBDatabase | null)?.close();
    },
  });
}
