/** users: staff and clients (clients are users with role CLIENT). The password hash never leaves this table's auth queries. */
import { and, asc, eq, getTableColumns, isNull, sql, type SQL } from 'drizzle-orm';
import type { EntityType } from '../../../src/protocol/index.ts';
import type { Orm } from '../../db/orm.ts';
import { users, type UserRow } from '../../db/schema.ts';
import { complete, hotStatements, newRow, stamp, SYNCED_INSERT_KEYS, toPage, type EntityModel } from '../model.ts';
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

export function usersModel(orm: Orm): EntityModel {
  const { passwordHash: _secret, ...publicColumns } = getTableColumns(users);
  const fields = ['name', 'email', 'phone', 'role'] as const;
  const hot = hotStatements(orm, users, [...fields, 'tenantId', ...SYNCED_INSERT_KEYS], ['passwordHash']);
  const target = orm.$client.prepare<{ id: number; practiceId: number }, { id: number; deletedAt: number | null; role: string }>(
    'SELECT id, deleted_at AS deletedAt, role FROM users WHERE id = @id AND practice_id = @practiceId',
  );
  return {
    type: 'users',
    fields,
    find: (practiceId, id) => {
      const row = hot.byId(practiceId, id);
      return row ? userRecord(row) : undefined;
    },
    refTarget: (practiceId, id) => {
      const row = target.get({ id, practiceId });
      return row && { id: row.id, deleted: row.deletedAt !== null, role: row.role };
    },
    insert: (owner, f, meta) => {
      const values = complete<Required<Pick<UserInsert, (typeof fields)[number]>>>('users', toColumns<UserInsert>('users', f, USER_READERS), fields);
      const row = newRow(Object.assign(values, { tenantId: owner.tenantId }), owner.practiceId, meta);
      row.id = hot.insert(row);
      return userRecord(row);
    },
    update: (id, f, meta) =>
      userRecord(
        orm
          .update(users)
          .set({ ...toColumns<UserInsert>('users', f, USER_READERS), ...stamp(meta) })
          .where(eq(users.id, id))
          .returning(publicColumns)
          .get()!,
      ),
    tombstone: (id, meta) =>
      userRecord(orm.update(users).set({ deletedAt: meta.now, ...stamp(meta) }).where(eq(users.id, id)).returning(publicColumns).get()!),
    changesSince: (practiceId, afterSeq, sinceMs, limit) =>
      hot.changes(practiceId, afterSeq, sinceMs, limit).map((row) => ({ seq: row.seq, record: userRecord(row) })),
    list: (practiceId, filter, page) => {
      const where: SQL[] = [eq(users.practiceId, practiceId)];
      if (!filter.includeDeleted) where.push(isNull(users.deletedAt));
      if (typeof filter.equals.role === 'string') where.push(eq(users.role, filter.equals.role as UserInsert['role']));
      if (page.after) where.push(sql`(${users.name}, ${users.id}) > (${page.after.key}, ${page.after.id})`);
      const rows = orm
        .select(publicColumns)
        .from(users)
        .where(and(...where))
        .orderBy(asc(users.name), asc(users.id))
        .limit(page.limit + 1)
        .all();
      return toPage(rows, page.limit, userRecord, (r) => ({ key: r.name, id: r.id }));
    },
    withDerived: (_practiceId, record) => record,
    editedAt: hot.editedAt,
  };
}
