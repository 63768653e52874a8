/** pets: each owned by a client (ownerId → users.id). */
import { andThen, type Database } from '../../db/engine.ts';
import { pets, type PetRow } from '../../db/schema.ts';
import { selectList } from '../../db/statements.ts';
import {
  complete,
  forShare,
  hotStatements,
  listQuery,
  newRow,
  stamp,
  SYNCED_INSERT_KEYS,
  toPage,
  type PetsModel,
} from '../model.ts';
import { asInt, asText, asTextOrNull, iso, isoOrNull, toColumns, type WireRecord } from '../wire.ts';

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
  const target = db.prepare<{ id: number; deletedAt: number | null; ownerId: number }>(
    'SELECT id, deleted_at AS "deletedAt", owner_id AS "ownerId" FROM pets WHERE id = @id AND practice_id = @practiceId' +
      forShare(db),
  );
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
    find: async (practiceId, id) => {
      const row = await hot.byId(practiceId, id);
      return row ? petRecord(row) : undefined;
    },
    findForWrite: async (practiceId, id) => {
      const row = await hot.byIdForWrite(practiceId, id);
      return row ? petRecord(row) : undefined;
    },
    refTarget: (practiceId, id) =>
      andThen(
        target.get({ id, practiceId }),
        (row) => row && { id: row.id, deleted: row.deletedAt !== null, ownerId: row.ownerId },
      ),
    insert: async (owner, f, meta) => {
      const values = complete<Required<Pick<PetInsert, (typeof fields)[number]>>>(
        'pets',
        toColumns<PetInsert>('pets', f, PET_READERS),
        fields,
      );
      const row = newRow(values, owner.practiceId, meta);
      row.id = await hot.insert(row);
      return petRecord(row);
    },
    update: async (id, f, meta) =>
      petRecord(await hot.update(id, Object.assign(toColumns<PetInsert>('pets', f, PET_READERS), stamp(meta)))),
    tombstone: async (id, meta) => petRecord(await hot.update(id, Object.assign({ deletedAt: meta.now }, stamp(meta)))),
    changesSince: async (practiceId, afterSeq, sinceMs, limit) =>
      (await hot.changes(practiceId, afterSeq, sinceMs, limit)).map((row) => ({
        seq: row.seq,
        record: petRecord(row),
      })),
    list: async (practiceId, filter, page) => {
      const where = ['practice_id = @practiceId'];
      const params: Record<string, unknown> = { practiceId };
      if (!filter.includeDeleted) where.push('deleted_at IS NULL');
      if (typeof filter.equals.ownerId === 'number') {
        where.push('owner_id = @ownerId');
        params.ownerId = filter.equals.ownerId;
      }
      const query = listQuery(select, where, params, ['name', 'id'], page);
      const rows = await db.prepare<PetRow>(query.sql).all(query.params);
      return toPage(rows, page.limit, petRecord, (r) => ({ key: r.name, id: r.id }));
    },
    withDerived: async (_practiceId, record) => record,
    editedAt: hot.editedAt,
    liveByOwner: async (practiceId, ownerId, limit) => ({
      names: await liveNames.values<string>({ ownerId, practiceId, limit }),
      count: (await liveCount.value<number>({ ownerId, practiceId })) ?? 0,
    }),
  };
}
