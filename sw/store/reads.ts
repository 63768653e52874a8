/** Reads of the local replica for the REST surface (lists with the screens' filters, one record). */
import type { EntityId, EntityType } from '../../src/protocol/index.ts';
import { publicRecord, type Row } from '../core/rebase.ts';
import type { SyncDb } from '../db/schema.ts';

export interface ListFilter {
  /** Appointments: [from, to) as ISO date-times. */
  from?: string;
  to?: string;
  /** Equality on a field (ownerId, role, petId, clientId, practitionerId). */
  equals?: Record<string, EntityId | string>;
  includeDeleted?: boolean;
}

function matches(record: Row, filter: ListFilter): boolean {
  if (!filter.includeDeleted && record.deletedAt) return false;
  for (const [field, value] of Object.entries(filter.equals ?? {})) {
    if (String(record[field]) !== String(value)) return false;
  }
  return true;
}

function byName(a: Row, b: Row): number {
  return String(a.name ?? '').localeCompare(String(b.name ?? ''));
}

function byDate(a: Row, b: Row): number {
  return String(a.date ?? '').localeCompare(String(b.date ?? ''));
}

export async function listRecords(db: SyncDb, entityType: EntityType, filter: ListFilter): Promise<Row[]> {
  let rows: Row[];
  if (entityType === 'appointments' && (filter.from || filter.to)) {
    // Dates are stored as UTC ISO strings, which sort like the instants they name.
    const range =
      filter.from && filter.to
        ? IDBKeyRange.bound(filter.from, filter.to, false, true)
        : filter.from
          ? IDBKeyRange.lowerBound(filter.from)
          : IDBKeyRange.upperBound(filter.to!, true);
    rows = (await db.getAllFromIndex('appointments', 'date', range)) as Row[];
  } else {
    rows = (await db.getAll(entityType)) as Row[];
  }
  const result = rows.filter((r) => matches(r, filter)).map(publicRecord);
  return result.sort(entityType === 'appointments' ? byDate : byName);
}

export async function getPublicRecord(db: SyncDb, entityType: EntityType, id: EntityId): Promise<Row | null> {
  let key = id;
  if (typeof id === 'string') {
    const alias = await db.get('id_aliases', id);
    if (alias) key = alias.realId;
  }
  const record = (await db.get(entityType, key)) as Row | undefined;
  return record ? publicRecord(record) : null;
}
