/**
 * Reads of the local replica for the REST surface (lists with the screens' filters, one record),
 * in what the page sees (db/records.ts ReplicaView): public ids, an appointment's client derived
 * from its pet's current owner.
 */
import { REFERENCE_FIELDS, type EntityId, type EntityType } from '../../src/protocol/index.ts';
import type { Row } from '../core/rebase.ts';
import { ReplicaView, type AnyReplicaRecord } from '../db/records.ts';
import { localKeyOf, type SyncDb } from '../db/schema.ts';
import { readTransaction, type ReadTx } from '../db/tx.ts';

export interface ReplicaListFilter {
  /** Appointments: [from, to) as ISO date-times. */
  from?: string;
  to?: string;
  /** Equality on a field (ownerId, role, petId, clientId, practitionerId). */
  equals?: Record<string, EntityId | string>;
  includeDeleted?: boolean;
}

function byName(a: Row, b: Row): number {
  return String(a.name ?? '').localeCompare(String(b.name ?? ''));
}

function byDate(a: Row, b: Row): number {
  return String(a.date ?? '').localeCompare(String(b.date ?? ''));
}

function asId(value: EntityId | string): EntityId {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
}

/** Records from one index, for every id the wanted record is known by (no duplicates). */
export async function fromIndex(
  tx: ReadTx,
  entityType: EntityType,
  index: string,
  values: readonly EntityId[],
): Promise<AnyReplicaRecord[]> {
  const store = tx.objectStore(entityType) as unknown as {
    index(name: string): { getAll(key: IDBValidKey | IDBKeyRange): Promise<AnyReplicaRecord[]> };
  };
  const found = await Promise.all(values.map((value) => store.index(index).getAll(value)));
  const byKey = new Map<EntityId, AnyReplicaRecord>();
  for (const record of found.flat()) byKey.set(localKeyOf(record), record);
  return [...byKey.values()];
}

/** Dates are stored as UTC ISO strings, which sort like the instants they name: [from, to). */
function dateRange(from: string | undefined, to: string | undefined): IDBKeyRange | null {
  if (from) return to ? IDBKeyRange.bound(from, to, false, true) : IDBKeyRange.lowerBound(from);
  return to ? IDBKeyRange.upperBound(to, true) : null;
}

/** The stored records worth looking at for this filter, narrowed by an index where one fits. */
async function candidates(
  tx: ReadTx,
  view: ReplicaView,
  entityType: EntityType,
  filter: ReplicaListFilter,
  forms: Map<string, EntityId[]>,
): Promise<AnyReplicaRecord[]> {
  const range = entityType === 'appointments' ? dateRange(filter.from, filter.to) : null;
  if (range) return await tx.objectStore('appointments').index('date').getAll(range);
  const petIds = forms.get('petId');
  if (entityType === 'appointments' && petIds) return fromIndex(tx, 'appointments', 'petId', petIds);
  const clientIds = forms.get('clientId');
  if (entityType === 'appointments' && clientIds) {
    // The client is the pet's owner now: the owner's pets, then their appointments.
    const pets = await fromIndex(tx, 'pets', 'ownerId', clientIds);
    const ownedPetIds = (await Promise.all(pets.map((pet) => view.idForms('pets', pet.id)))).flat();
    return fromIndex(tx, 'appointments', 'petId', ownedPetIds);
  }
  const ownerIds = forms.get('ownerId');
  if (entityType === 'pets' && ownerIds) return fromIndex(tx, 'pets', 'ownerId', ownerIds);
  if (entityType === 'users' && filter.equals?.role !== undefined) {
    return await tx.objectStore('users').index('role').getAll(String(filter.equals.role));
  }
  return await tx.objectStore(entityType).getAll();
}

export async function listRecords(db: SyncDb, entityType: EntityType, filter: ReplicaListFilter): Promise<Row[]> {
  const tx = readTransaction(db);
  const view = new ReplicaView(tx);
  // A reference filter matches a record under any id it is known by (temp id or server id).
  const forms = new Map<string, EntityId[]>();
  await Promise.all(
    Object.entries(filter.equals ?? {}).map(async ([field, value]) => {
      const target = REFERENCE_FIELDS[entityType].find((r) => r.field === field)?.target;
      forms.set(field, target ? await view.idForms(target, asId(value)) : [asId(value)]);
    }),
  );
  const records = (await candidates(tx, view, entityType, filter, forms)).filter(
    (r) => filter.includeDeleted || !r.deletedAt,
  );
  const shown = await view.allToPublic(entityType, records);
  const wanted = [...forms].map(([field, ids]) => [field, new Set(ids.map(String))] as const);
  const result = shown.filter((record) => wanted.every(([field, ids]) => ids.has(String(record[field]))));
  return result.sort(entityType === 'appointments' ? byDate : byName);
}

export async function getPublicRecord(db: SyncDb, entityType: EntityType, id: EntityId): Promise<Row | null> {
  const view = new ReplicaView(readTransaction(db));
  const record = await view.find(entityType, id);
  return record ? view.toPublic(entityType, record) : null;
}
