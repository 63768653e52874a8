import { getTableColumns } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate.ts';
import { MIGRATIONS } from '../../server/db/migrations.ts';
import type { SqliteEngine } from '../../server/db/sqlite.ts';
import { schema } from '../../server/db/schema.ts';
import { DEMO_PRACTICES, seedDemo } from '../../server/seed/demo.ts';
import { createEntityModels } from '../../server/store/entities.ts';
import { findClashes, type BookingSlot } from '../../src/protocol/index.ts';
import { ON_POSTGRES, startTestServer, T0, tempSqliteFiles } from './helpers.ts';

const freshDb = tempSqliteFiles('smartdmv-db-');

describe('migrations', () => {
  it('apply in order once, are recorded, and a second run does nothing', async () => {
    const db = freshDb();
    expect((await migrate(db, MIGRATIONS, () => T0)).applied).toEqual(MIGRATIONS.map((m) => m.id));
    expect((await migrate(db)).applied).toEqual([]);
    expect(db.raw.prepare('SELECT id, name, applied_at FROM schema_migrations ORDER BY id').all()).toEqual(
      MIGRATIONS.map((m) => ({ id: m.id, name: m.name, applied_at: T0 })),
    );
    expect(db.raw.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('the database file is opened so that a commit is on disk before it is acknowledged (synchronous FULL)', () => {
    // A device forgets an operation once the server acknowledged it: that write must outlive a power cut.
    expect(freshDb().raw.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('create every table and column the drizzle schema declares', async () => {
    const db = freshDb();
    await migrate(db);
    for (const table of Object.values(schema)) {
      const { name } = getTableConfig(table);
      const actual = (db.raw.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[])
        .map((c) => c.name)
        .sort();
      const declared = Object.values(getTableColumns(table))
        .map((c) => c.name)
        .sort();
      expect({ table: name, columns: actual }).toEqual({ table: name, columns: declared });
    }
  });

  it.skipIf(!ON_POSTGRES)(
    'PostgreSQL: every table and column the drizzle schema declares, with foreign keys and the exclusion constraints',
    async () => {
      const server = await startTestServer({ seed: false });
      try {
        for (const table of Object.values(schema)) {
          const { name } = getTableConfig(table);
          const actual = await server.sql.values<string>(
            'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY column_name',
            name,
          );
          const declared = Object.values(getTableColumns(table))
            .map((c) => c.name)
            .sort();
          expect({ table: name, columns: [...actual].sort() }).toEqual({ table: name, columns: declared });
        }
        const constraints = await server.sql.values<string>(
          "SELECT conname FROM pg_constraint WHERE contype IN ('f', 'x') ORDER BY conname",
        );
        expect(constraints).toEqual(
          expect.arrayContaining([
            'appointments_pet_id_fkey',
            'appointments_pet_no_overlap',
            'appointments_practitioner_no_overlap',
            'pets_owner_id_fkey',
            'sessions_user_id_fkey',
          ]),
        );
      } finally {
        await server.close();
      }
    },
  );

  it('a failing migration leaves nothing behind', async () => {
    const db = freshDb();
    const broken = [
      ...MIGRATIONS,
      { id: 999, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM missing_table;' },
    ];
    await expect(migrate(db, broken)).rejects.toThrow();
    expect(db.raw.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    expect(db.raw.prepare('SELECT MAX(id) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.at(-1)!.id);
  });
});

describe('demo seed', () => {
  it('loads two practices with logins, ≥15 clients, ≥30 pets, ≥60 appointments over two weeks around today', async () => {
    const db = freshDb();
    await migrate(db);
    await seedDemo(db, { now: T0 });
    expect(db.raw.prepare('SELECT id, name, tenant_id FROM practices ORDER BY id').all()).toEqual([
      { id: 1, name: 'Northside Veterinary', tenant_id: 'smartvet' },
      { id: 2, name: 'Harbor Animal Clinic', tenant_id: 'harborvet' },
    ]);
    const login = db.raw.prepare(
      'SELECT role, practice_id AS practiceId FROM users WHERE email = ? AND password_hash IS NOT NULL',
    );
    expect(login.get('reception@northside.example')).toEqual({ role: 'STAFF', practiceId: 1 });
    expect(login.get('vet@northside.example')).toEqual({ role: 'PRACTITIONER', practiceId: 1 });
    expect(login.get('admin@northside.example')).toEqual({ role: 'ADMIN', practiceId: 1 });
    expect(login.get('reception@harbor.example')).toEqual({ role: 'STAFF', practiceId: 2 });
    for (const practice of [1, 2]) {
      const n = (sql: string) => db.raw.prepare(sql).pluck().get(practice) as number;
      expect(n("SELECT COUNT(*) FROM users WHERE practice_id = ? AND role = 'CLIENT'")).toBeGreaterThanOrEqual(15);
      expect(n("SELECT COUNT(*) FROM users WHERE practice_id = ? AND role = 'PRACTITIONER'")).toBeGreaterThanOrEqual(2);
      expect(n('SELECT COUNT(*) FROM pets WHERE practice_id = ?')).toBeGreaterThanOrEqual(30);
      expect(n('SELECT COUNT(*) FROM appointments WHERE practice_id = ?')).toBeGreaterThanOrEqual(60);
      expect(
        n(
          'SELECT COUNT(*) FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.practice_id = ? AND p.practice_id != a.practice_id',
        ),
      ).toBe(0);
      expect(
        n(
          "SELECT COUNT(*) FROM pets p JOIN users u ON u.id = p.owner_id WHERE p.practice_id = ? AND (u.practice_id != p.practice_id OR u.role != 'CLIENT')",
        ),
      ).toBe(0);
      const span = db.raw
        .prepare('SELECT MIN(date) AS lo, MAX(date) AS hi FROM appointments WHERE practice_id = ?')
        .get(practice) as { lo: number; hi: number };
      expect(span.lo).toBeGreaterThanOrEqual(T0 - 8 * 86_400_000);
      expect(span.hi).toBeLessThanOrEqual(T0 + 8 * 86_400_000);
      expect(span.hi - span.lo).toBeGreaterThan(10 * 86_400_000);
    }
    // The demo day has room: nothing needed keeping on purpose, and no visit runs into the next
    // one of its practitioner or pet within half an hour.
    expect(db.raw.prepare('SELECT COUNT(*) FROM appointments WHERE overlap_allowed = 1').pluck().get()).toBe(0);
    const tight = db.raw
      .prepare(
        `SELECT COUNT(*) FROM appointments a JOIN appointments b ON b.id != a.id AND (b.practitioner_id = a.practitioner_id OR b.pet_id = a.pet_id)
         WHERE a.status NOT IN ('cancelled', 'no_show') AND b.status NOT IN ('cancelled', 'no_show')
           AND b.date >= a.date AND b.date < a.date + (a.duration_minutes + 30) * 60000`,
      )
      .pluck()
      .get();
    expect(tight).toBe(0);
    // Every row has a distinct change number.
    const seqs = db.raw
      .prepare('SELECT seq FROM users UNION ALL SELECT seq FROM pets UNION ALL SELECT seq FROM appointments')
      .pluck()
      .all() as number[];
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(db.raw.prepare("SELECT value FROM counters WHERE name = 'change_seq'").pluck().get()).toBe(
      Math.max(...seqs),
    );
  });

  it('is deterministic and refuses a database that has data', async () => {
    const a = freshDb();
    const b = freshDb();
    await migrate(a);
    await migrate(b);
    await seedDemo(a, { now: T0 });
    await seedDemo(b, { now: T0 });
    const dump = (db: SqliteEngine) =>
      db.raw
        .prepare(
          'SELECT a.title, a.date, p.name, u.name FROM appointments a JOIN pets p ON p.id = a.pet_id JOIN users u ON u.id = p.owner_id ORDER BY a.id',
        )
        .all();
    expect(dump(a)).toEqual(dump(b));
    await expect(seedDemo(a, { now: T0 })).rejects.toThrow(/already has data/);
  });

  it('--size scales: N appointments per practice in one quick transaction', async () => {
    const db = freshDb();
    await migrate(db);
    const summary = await seedDemo(db, { now: T0, size: 4000 });
    expect(summary.practices.map((p) => [p.appointments, p.pets, p.clients])).toEqual([
      [4000, 2000, 1000],
      [4000, 2000, 1000],
    ]);
    expect(db.raw.prepare('SELECT COUNT(*) FROM appointments').pluck().get()).toBe(8000);
    expect(DEMO_PRACTICES.length).toBe(2);
  });

  it('obeys the double-booking rule on a crowded schedule: what does not fit is marked as kept on purpose; every row has editedAt', async () => {
    const db = freshDb();
    await migrate(db);
    await seedDemo(db, { now: T0, size: 2000 });
    const models = createEntityModels(db);
    for (const practice of [1, 2]) {
      const { records } = await models.appointments.list(
        practice,
        { equals: {}, includeDeleted: true },
        { limit: 1000 },
      );
      const all = [
        ...records,
        ...(
          await models.appointments.list(
            practice,
            { equals: {}, includeDeleted: true },
            { limit: 1000, after: { key: Date.parse(String(records.at(-1)!.date)), id: records.at(-1)!.id } },
          )
        ).records,
      ];
      expect(all).toHaveLength(2000);
      const slots = all as unknown as BookingSlot[];
      const kept = slots.filter((a) => a.overlapAllowed);
      // 40 bookings a day do not all fit (some kept on purpose), but no booking clashes under the rule.
      expect(kept.length).toBeGreaterThan(0);
      expect(slots.filter((a) => findClashes(a, slots).length > 0)).toEqual([]);
    }
    expect(db.raw.prepare('SELECT COUNT(*) FROM appointments WHERE edited_at != updated_at').pluck().get()).toBe(0);
    expect(db.raw.prepare('SELECT DISTINCT edited_at FROM users').pluck().all()).toEqual([T0]);
  });
});
