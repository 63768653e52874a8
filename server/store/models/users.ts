/**
 * users: staff and clients (clients are users with role CLIENT). The password hash never leaves
 * this table's auth queries.
 */
import type { EntityType } from '../../../src/protocol/index.ts';
import type { Database } from '../../db/engine.ts';
import { users, type UserRow } from '../../db/schema.ts';
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
  type EntityModel,
} from '../model.ts';
import { asText, asTextOrNull, iso, isoOrNull, type Fields, type WireRecord } from '../wire.ts';

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
  const select = `SELECT ${selectList(users, ['passwordHash'])} FROM users`;
  return {
    type: 'users',
    fields,
    ...recordReads(hot, userRecord),
    refTarget: refTargets(db, 'users', { column: 'role', field: 'role' }),
    insert: async (owner, f, meta) => {
      const values = insertColumns<UserInsert, (typeof fields)[number]>('users', f, USER_READERS, fields);
      const row = newRow(Object.assign(values, { tenantId: owner.tenantId }), owner.practiceId, meta);
      row.id = await hot.insert(row);
      return userRecord(row);
    },
    ...recordWrites<UserInsert>('users', USER_READERS, async (id, values) => userRecord(await hot.update(id, values))),
    list: listByName<Omit<UserRow, 'passwordHash'>>(db, select, userRecord, {
      key: 'role',
      column: 'role',
      type: 'string',
    }),
    withDerived: async (_practiceId, record) => record,
    lastEdit: hot.lastEdit,
  };
}
