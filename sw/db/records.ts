/**
 * Replica records: finding one by any id it is known under, storing it under its local key, and
 * turning stored records into what the page sees.
 *
 * A record has one local key for good (see localKeyOf). The page knows it by its public `id`: the
 * server id once the server has the record, the temp id before. Both keep answering; so do temp
 * ids that version 1 of the database moved to real keys (the `id_aliases` store).
 */
import {
  REFERENCE_FIELDS,
  cancelledWithPet,
  isTempId,
  type EntityId,
  type EntityType,
} from '../../src/protocol/index.ts';
import { applyChanges, type Row } from '../core/rebase.ts';
import { unwrap } from 'idb';
import { localKeyOf, type ReplicaRecord, type StoredOperation } from './schema.ts';
import type { ReadTx, Tx } from './tx.ts';

export type AnyReplicaRecord = ReplicaRecord<Row> & { id: EntityId };

/** The stored record for an id the page or the server may use: its local key, its server id, or a version-1 alias. */
export async function findRecord(
  tx: ReadTx,
  entityType: EntityType,
  id: EntityId,
): Promise<AnyReplicaRecord | undefined> {
  const store = tx.objectStore(entityType);
  const direct = (await store.get(id)) as AnyReplicaRecord | undefined;
  if (direct) return direct;
  if (isTempId(id)) {
    const alias = await tx.objectStore('id_aliases').get(id);
    return alias && alias.entityType === entityType ? await store.get(alias.realId) : undefined;
  }
  return await store.index('serverId').get(id);
}

/**
 * Record writes go straight to the native store, looked up once per transaction, without a
 * promise and two event listeners per request: a drain or a pull page writes thousands of
 * records, and that wrapping cost about as much worker time as IndexedDB itself. A failed request
 * aborts the transaction, which the caller sees when it waits for the commit.
 */
const replicaStores = new WeakMap<Tx, Map<EntityType, IDBObjectStore>>();

function replicaStore(tx: Tx, entityType: EntityType): IDBObjectStore {
  let stores = replicaStores.get(tx);
  if (!stores) replicaStores.set(tx, (stores = new Map<EntityType, IDBObjectStore>()));
  let store = stores.get(entityType);
  if (!store) {
    store = unwrap(tx.objectStore(entityType));
    stores.set(entityType, store);
  }
  return store;
}

export function putRecord(tx: Tx, entityType: EntityType, record: AnyReplicaRecord): void {
  replicaStore(tx, entityType).put(record, localKeyOf(record));
}

export function deleteRecord(tx: Tx, entityType: EntityType, key: EntityId): void {
  replicaStore(tx, entityType).delete(key);
}

/** The record without the replica's bookkeeping (the local flags stay: the page shows them). */
export function withoutBookkeeping(record: Row): Row {
  const { _server: _s, _tempId: _t, _serverId: _i, ...rest } = record;
  return rest;
}

/** The server's state of a record: `_server` while local changes are pending, else the record itself. */
export function serverStateOf(record: AnyReplicaRecord): Row | null {
  if (record._pending) return record._server ?? null;
  const { _pending: _p, _conflict: _c, ...rest } = withoutBookkeeping(record);
  return rest;
}

/** The version the device last saw from the server (0 for a record the server never saw). */
export function serverVersionOf(record: AnyReplicaRecord): number {
  return Number(serverStateOf(record)?.version ?? 0);
}

/** Fields that tie a stored record to its local key: a record created here keeps its temp id as key. */
function localOrigin(key: EntityId, publicId: unknown): Row {
  if (!isTempId(key)) return {};
  return typeof publicId === 'number' ? { _tempId: key, _serverId: publicId } : { _tempId: key };
}

/**
 * A server record as stored under `key`, with local `rows` (queue order) on top. With no rows the
 * server state is the record itself; with rows it is also kept as `_server`.
 */
export function storedForm(key: EntityId, server: Row, rows: readonly StoredOperation[] = []): AnyReplicaRecord {
  const visible = rows.length > 0 ? (applyChanges(server, rows) ?? server) : server;
  return {
    ...visible,
    ...localOrigin(key, server.id),
    id: server.id as EntityId,
    _pending: rows.length > 0,
    _conflict: rows.some((row) => row.status === 'conflict'),
    ...(rows.length > 0 ? { _server: server } : {}),
  };
}

/** The fields a create filled locally (used when the server has not seen the record yet). */
const LOCAL_SKELETON_FIELDS = ['id', 'practiceId', 'tenantId', 'version', 'createdAt', 'updatedAt', 'clientId'];

function skeletonOf(record: Row): Row {
  const out: Row = { deletedAt: null };
  for (const key of LOCAL_SKELETON_FIELDS) if (key in record) out[key] = record[key];
  return out;
}

/**
 * Writes what the screens see for the record under `key`: the server's state (`server`; null when
 * the server never saw it) with the queued `rows` on top. Removes the replica entry when nothing
 * is left (a create that was discarded). Returns the stored record, or null when removed.
 */
export function writeVisible(
  tx: Tx,
  entityType: EntityType,
  key: EntityId,
  existing: AnyReplicaRecord | undefined,
  server: Row | null,
  rows: readonly StoredOperation[],
): AnyReplicaRecord | null {
  if (server) {
    if (rows.length === 0 && server.deletedAt) {
      deleteRecord(tx, entityType, key);
      return null;
    }
    const record = storedForm(key, server, rows);
    putRecord(tx, entityType, record);
    return record;
  }
  // Never on the server: start from what the create filled in.
  const start = existing && rows[0]?.operation === 'create' ? skeletonOf(existing) : null;
  const visible = applyChanges(start, rows);
  if (!visible) {
    if (existing) deleteRecord(tx, entityType, key);
    return null;
  }
  const record: AnyReplicaRecord = {
    ...visible,
    ...localOrigin(key, visible.id),
    id: (visible.id ?? key) as EntityId,
    _pending: rows.length > 0,
    _conflict: rows.some((row) => row.status === 'conflict'),
    _server: null,
  };
  putRecord(tx, entityType, record);
  return record;
}

/**
 * Turns stored records into what the page sees, inside one transaction: bookkeeping removed,
 * references that still hold a temp id shown as the referenced record's public id, and an
 * appointment's client derived from its pet's current owner (as the server derives it). Lookups
 * are cached, and issued together when many records are turned at once.
 */
export class ReplicaView {
  private readonly cache = new Map<string, Promise<AnyReplicaRecord | undefined>>();

  constructor(private readonly tx: ReadTx) {}

  find(entityType: EntityType, id: EntityId): Promise<AnyReplicaRecord | undefined> {
    const cacheKey = `${entityType}:${typeof id}:${id}`;
    let found = this.cache.get(cacheKey);
    if (!found) {
      found = findRecord(this.tx, entityType, id);
      this.cache.set(cacheKey, found);
    }
    return found;
  }

  /** The id the page knows a record by: its server id once there is one. */
  async publicId(entityType: EntityType, id: EntityId): Promise<EntityId> {
    if (!isTempId(id)) return id;
    return (await this.find(entityType, id))?.id ?? id;
  }

  /** Every id a record may be stored or referenced under (its local key and its public id). */
  async idForms(entityType: EntityType, id: EntityId): Promise<EntityId[]> {
    const record = await this.find(entityType, id);
    if (!record) return [id];
    const forms = new Set<EntityId>([id, record.id, localKeyOf(record)]);
    return [...forms];
  }

  async toPublic(entityType: EntityType, record: Row): Promise<Row> {
    const out = withoutBookkeeping(record);
    for (const { field, target } of REFERENCE_FIELDS[entityType]) {
      const value = out[field];
      if (field !== 'clientId' && isTempId(value)) out[field] = await this.publicId(target, value);
    }
    if (entityType === 'appointments' && (typeof out.petId === 'number' || typeof out.petId === 'string')) {
      const pet = await this.find('pets', out.petId);
      if (pet && (typeof pet.ownerId === 'number' || typeof pet.ownerId === 'string')) {
        out.clientId = await this.publicId('users', pet.ownerId);
      }
      // Deleting a pet cancels its upcoming appointments: the server does it and devices pull it;
      // until then (and for good, by the same rule) they show cancelled (store/delete-rules.ts).
      if (pet && typeof pet.deletedAt === 'string' && cancelledWithPet(out, Date.parse(pet.deletedAt)))
        out.status = 'cancelled';
    }
    return out;
  }

  allToPublic(entityType: EntityType, records: readonly Row[]): Promise<Row[]> {
    return Promise.all(records.map((record) => this.toPublic(entityType, record)));
  }
}
