/** pets: each owned by a client (ownerId → users.id). */
import type { Database } from '../../db/engine.ts';
import { pets, type PetRow } from '../../db/schema.ts';
import { selectList } from '../../db/statements.ts';
import {
  hotStatements,
  insertColumns,
  listByName,
  newRow,
  recordReads,
  recordWrites,
  refTargets,
  SYNCED_INSERT_KEYS,
  type PetsModel,
} from '../model.ts';
import { asInt, asText, asTextOrNull, iso, isoOrNull, type WireRecord } from '../wire.ts';

function petRecord(r: Omit<PetRow, 'seq'>): WireRecord {
  return {
    id: r.id,
    name: r.name,
    species: r.species,
    breed: r.breed,
    birthDate: r.birthDate,
    ownerId: r.ownerId,
    practiceId: r.practiceId,
    version: r.version,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    deletedAt: isoOrNull(r.deletedAt),
  };
}

type PetInsert = typeof pets.$inferInsert;

const PET_READERS = { name: asText, species: asText, breed: asTextOrNull, birthDate: asTextOrNull, ownerId: asInt };

/** A pet's own columns (the fields a device writes), as inserted; the seed inserts them too. */
export const PET_FIELDS = ['name', 'species', 'breed', 'birthDate', 'ownerId'] as const;

export function petsModel(db: Database): PetsModel {
  const fields = PET_FIELDS;
  const hot = hotStatements(db, pets, [...fields, ...SYNCED_INSERT_KEYS]);
  const liveNames = db.prepare(
    'SELECT name FROM pets WHERE owner_id = @ownerId AND practice_id = @practiceId AND deleted_at IS NULL ORDER BY name, id LIMIT @limit',
  );
  const liveCount = db.prepare(
    'SELECT COUNT(*) FROM pets WHERE owner_id = @ownerId AND practice_id = @practiceId AND deleted_at IS NULL',
  );
  const select = `SELECT ${selectList(pets)} FROM pets`;
  return {
    type: 'pets',
    fields,
    ...recordReads(hot, petRecord),
    refTarget: refTargets(db, 'pets', { column: 'owner_id', field: 'ownerId' }),
    insert: async (owner, f, meta) => {
      const row = newRow(
        insertColumns<PetInsert, (typeof fields)[number]>('pets', f, PET_READERS, fields),
        owner.practiceId,
        meta,
      );
      row.id = await hot.insert(row);
      return petRecord(row);
    },
    ...recordWrites<PetInsert>('pets', PET_READERS, async (id, values) => petRecord(await hot.update(id, values))),
    list: listByName<PetRow>(db, select, petRecord, { key: 'ownerId', column: 'owner_id', type: 'number' }),
    withDerived: async (_practiceId, record) => record,
    lastEdit: hot.lastEdit,
    liveByOwner: async (practiceId, ownerId, limit) => ({
      names: await liveNames.values<string>({ ownerId, practiceId, limit }),
      count: (await liveCount.value<number>({ ownerId, practiceId })) ?? 0,
    }),
  };
}
