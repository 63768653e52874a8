/**
 * Replica record helpers that run inside one read-write transaction over every store, so a
 * record, the queue rows behind it and the aliases always change together.
 */
import type { IDBPTransaction } from 'idb';
import { ENTITY_TYPES, isTempId, type EntityId, type EntityType } from '../../src/protocol/index.ts';
import { applyChanges, type Row } from '../core/rebase.ts';
import type { ReplicaRecord, StoredOperation, SyncDbSchema } from './schema.ts';

export const ALL_STORES = [
  'users',
  'pets',
  'appointments',
  'sync_operations',
  'conflicts',
  'id_aliases',
  'meta',
] as const;

export type Tx = IDBPTransaction<SyncDbSchema, typeof ALL_STORES, 'readwrite'>;
export type ReadTx = IDBPTransaction<SyncDbSchema, typeof ALL_STORES, 'readonly' | 'readwrite'>;

export type AnyReplicaRecord = ReplicaRecord<Row> & { id: EntityId };

/**
 * IndexedDB requests issued without awaiting each one: the transaction runs them in order, and
 * the caller pays one round trip for the lot instead of one per request. If issuing one throws
 * (or the work fails later), the others are marked handled so their abort errors stay quiet.
 */
export class RequestPipeline {
  private pending: Promise<unknown>[] = [];

  add(start: () => Promise<unknown>): void {
    try {
      this.pending.push(start());
    } catch (err) {
      this.abandon();
      throw err;
    }
  }

  /** Issues one request per item. */
  addAll<T>(items: readonly T[], start: (item: T) => Promise<unknown>): void {
    for (const item of items) this.add(() => start(item));
  }

  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }

  abandon(): void {
    for (const p of this.pending) p.catch(() => undefined);
    this.pending = [];
  }
}

export async function getRecord(tx: ReadTx, entityType: EntityType, id: EntityId): Promise<AnyReplicaRecord | undefined> {
  return (await tx.objectStore(entityType).get(id)) as AnyReplicaRecord | undefined;
}

export async function putRecord(tx: Tx, entityType: EntityType, record: AnyReplicaRecord): Promise<void> {
  // The store's value type is a union per entity; records are validated where they enter.
  await tx.objectStore(entityType).put(record as never);
}

/** A temp id the server already replaced resolves to its real id (old links keep working). */
export async function resolveId(tx: ReadTx, id: EntityId): Promise<EntityId> {
  if (!isTempId(id)) return id;
  const alias = await tx.objectStore('id_aliases').get(id);
  return alias ? alias.realId : id;
}

export async function operationsFor(tx: ReadTx, entityType: EntityType, id: EntityId): Promise<StoredOperation[]> {
  const ops = await tx.objectStore('sync_operations').index('record').getAll([entityType, id]);
  return ops.sort((a, b) => a.id! - b.id!);
}

/**
 * Recomputes what the screens see for one record: the server's last state (`_server`) with the
 * queued operations applied on top. Deletes the replica row when nothing is left (a create that
 * was discarded). For appointments the client is derived from the pet's owner, as on the server.
 */
export async function recomputeRecord(
  tx: Tx,
  entityType: EntityType,
  id: EntityId,
  server?: Row | null,
): Promise<AnyReplicaRecord | null> {
  const existing = await getRecord(tx, entityType, id);
  const base = server !== undefined ? server : (existing?._server ?? null);
  const ops = await operationsFor(tx, entityType, id);
  // A record the server never saw starts from the fields the device filled at create time.
  const start = base ?? (existing && ops[0]?.operation === 'create' ? serverOwnedFields(existing) : null);
  const visible = applyChanges(start, ops);
  if (!visible) {
    if (existing) await tx.objectStore(entityType).delete(id);
    return null;
  }
  if (entityType === 'appointments') await deriveClientId(tx, visible);
  const record = {
    ...visible,
    id,
    _pending: ops.length > 0,
    _conflict: ops.some((op) => op.status === 'conflict'),
    _server: base,
  } as AnyReplicaRecord;
  await putRecord(tx, entityType, record);
  return record;
}

const LOCAL_SKELETON_FIELDS = ['id', 'practiceId', 'tenantId', 'version', 'createdAt', 'updatedAt', 'deletedAt', 'clientId'];

function serverOwnedFields(record: Row): Row {
  const out: Row = {};
  for (const key of LOCAL_SKELETON_FIELDS) if (key in record) out[key] = record[key];
  out.deletedAt = null;
  return out;
}

async function deriveClientId(tx: ReadTx, appointment: Row): Promise<void> {
  const petId = appointment.petId;
  if (typeof petId !== 'number' && typeof petId !== 'string') return;
  const pet = await getRecord(tx, 'pets', petId);
  if (pet && pet.ownerId !== undefined) appointment.clientId = pet.ownerId;
}

export function isEntityType(value: string): value is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(value);
}
