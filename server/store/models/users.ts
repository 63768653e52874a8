/**
 * users: staff and clients (clients are users with role CLIENT). The password hash never leaves
 * this table's auth queries.
 */
import type { EntityType } from '../../../src/protocol/index.ts';
import { andThen, type Database } from '../../db/engine.ts';
import { users, type UserRow } from '../../db/schema.ts';
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
  type EntityModel,
} from '../model.ts';
import { asText, asTextOrNull, iso, isoOrNull, toColumns, type Fields, type WireRecord } from '../wire.ts';

function userRecord(r: Omit<UserRow, 'passwordHash' | 'seq'>): WireRecord {
  return {
    id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    email: r.email,
    phone: r.phone,
    role: r.role,
    practiceId: r.practiceId,
    version: r.version,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    deletedAt: isoOrNull(r.deletedAt),
  };
}

type UserInsert = typeof users.$inferInsert;

const USER_READERS = {
  name: asText,
  email: asTextOrNull,
  phone: asTextOrNull,
  role: (v: Fields[string], t: EntityType, f: string) => asText(v, t, f) as UserInsert['role'],
};

/** A user's own columns (the fields a device writes), as inserted; the seed inserts them too. */
export const USER_FIELDS = ['name', 'email', 'phone', 'role'] as const;

export function usersModel(db: Database): EntityModel {
  const fields = USER_FIELDS;
  const hot = hotStatements(db, users, [...fields, 'tenantId', ...SYNCED_INSERT_KEYS], ['passwordHash']);
  const target = db.prepare<{ id: number; deletedAt: number | null; role: string }>(
    'SELECT id, deleted_at AS "deletedAt", role FROM users WHERE id = @id AND practice_id = @practiceId' + forShare(db),
  );
  const select = `SELECT ${selectList(users, ['passwordHash'])} FROM users`;
  return {
    type: 'users',
    fields,
    find: async (practiceId, id) => {
      const row = await hot.byId(practiceId, id);
      return row ? userRecord(row) : undefined;
    },
    findForWrite: async (practiceId, id) => {
      const row = await hot.byIdForWrite(practiceId, id);
      return row ? userRecord(row) : undefined;
    },
    refTarget: (practiceId, id) =>
      andThen(
        target.get({ id, practiceId }),
        (row) => row && { id: row.id, deleted: row.deletedAt !== null, role: row.role },
      ),
    insert: async (owner, f, meta) => {
      const values = complete<Required<Pick<UserInsert, (typeof fields)[number]>>>(
        'users',
        toColumns<UserInsert>('users', f, USER_READERS),
        fields,
      );
      const row = newRow(Object.assign(values, { tenantId: owner.tenantId }), owner.practiceId, meta);
      row.id = await hot.insert(row);
      return userRecord(row);
    },
    update: async (id, f, meta) =>
      userRecord(await hot.update(id, Object.assign(toColumns<UserInsert>('users', f, USER_READERS), stamp(meta)))),
    tombstone: async (id, meta) =>
      userRecord(await hot.update(id, Object.assign({ deletedAt: meta.now }, stamp(meta)))),
    changesSince: async (practiceId, afterSeq, sinceMs, limit) =>
      (await hot.changes(practiceId, afterSeq, sinceMs, limit)).map((row) => ({
        seq: row.seq,
        record: userRecord(row),
      })),
    list: async (practiceId, filter, page) => {
      const where = ['practice_id = @practiceId'];
      const params: Record<string, unknown> = { practiceId };
      if (!filter.includeDeleted) where.push('deleted_at IS NULL');
      if (typeof filter.equals.role === 'string') {
        where.push('role = @role');
        params.role = filter.equals.role;
      }
      const query = listQuery(select, where, params, ['name', 'id'], page);
      const rows = await db.prepare<Omit<UserRow, 'passwordHash'>>(query.sql).all(query.params);
      return toPage(rows, page.limit, userRecord, (r) => ({ key: r.name, id: r.id }));
    },
    withDerived: async (_practiceId, record) => record,
    editedAt: hot.editedAt,
  };
}
