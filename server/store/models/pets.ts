/** pets: each owned by a client (ownerId → users.id). */
import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../../db/orm.ts';
import { pets, type PetRow } from '../../db/schema.ts';
import { complete, hotStatements, newRow, stamp, SYNCED_INSERT_KEYS, toPage, type PetsModel } from '../model.ts';
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

export function petsModel(orm: Orm): PetsModel {
  const fields = ['name', 'species', 'breed', 'birthDate', 'ownerId'] as const;
  const hot = hotStatements(orm, pets, [...fields, ...SYNCED_INSERT_KEYS]);
  const target = orm.$client.prepare<{ id: number; practiceId: number }, { id: number; deletedAt: number | null; ownerId: number }>(
    'SELECT id, deleted_at AS deletedAt, owner_id AS ownerId FROM pets WHERE id = @id AND practice_id = @practiceId',
  );
  const liveNames = orm.$client
    .prepare<{ ownerId: number; practiceId: number; limit: number }, string>(
      'SELECT name FROM pets WHERE owner_id = @ownerId AND practice_id = @practiceId AND deleted_at IS NULL ORDER BY name, id LIMIT @limit',
    )
    .pluck();
  const liveCount = orm.$client
    .prepare<{ ownerId: number; practiceId: number }, number>('SELECT COUNT(*) FROM pets WHERE owner_id = @ownerId AND practice_id = @practiceId AND deleted_at IS NULL')
    .pluck();
  return {
    type: 'pets',
    fields,
    find: (practiceId, id) => {
      const row = hot.byId(practiceId, id);
      return row ? petRecord(row) : undefined;
    },
    refTarget: (practiceId, id) => {
      const row = target.get({ id, practiceId });
      return row && { id: row.id, deleted: row.deletedAt !== null, ownerId: row.ownerId };
    },
    insert: (owner, f, meta) => {
      const values = complete<Required<Pick<PetInsert, (typeof fields)[number]>>>('pets', toColumns<PetInsert>('pets', f, PET_READERS), fields);
      const row = newRow(values, owner.practiceId, meta);
      row.id = hot.insert(row);
      return petRecord(row);
    },
    update: (id, f, meta) =>
      petRecord(orm.update(pets).set({ ...toColumns<PetInsert>('pets', f, PET_READERS), ...stamp(meta) }).where(eq(pets.id, id)).returning().get()!),
    tombstone: (id, meta) => petRecord(orm.update(pets).set({ deletedAt: meta.now, ...stamp(meta) }).where(eq(pets.id, id)).returning().get()!),
    changesSince: (practiceId, afterSeq, sinceMs, limit) =>
      hot.changes(practiceId, afterSeq, sinceMs, limit).map((row) => ({ seq: row.seq, record: petRecord(row) })),
    list: (practiceId, filter, page) => {
      const where: SQL[] = [eq(pets.practiceId, practiceId)];
      if (!filter.includeDeleted) where.push(isNull(pets.deletedAt));
      if (typeof filter.equals.ownerId === 'number') where.push(eq(pets.ownerId, filter.equals.ownerId));
      if (page.after) where.push(sql`(${pets.name}, ${pets.id}) > (${page.after.key}, ${page.after.id})`);
      const rows = orm
        .select()
        .from(pets)
        .where(and(...where))
        .orderBy(asc(pets.name), asc(pets.id))
        .limit(page.limit + 1)
        .all();
      return toPage(rows, page.limit, petRecord, (r) => ({ key: r.name, id: r.id }));
    },
    withDerived: (_practiceId, record) => record,
    editedAt: hot.editedAt,
    liveByOwner: (practiceId, ownerId, limit) => ({
      names: liveNames.all({ ownerId, practiceId, limit }),
      count: liveCount.get({ ownerId, practiceId }) ?? 0,
    }),
  };
}
