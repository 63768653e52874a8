/**
 * Migrations added by issue 9 on a database with data: the stored appointments.client_id goes
 * (D1) without losing a row, and appointment types are rewritten to the canonical set as
 * versioned changes devices pull (unknown types stay).
 */
import { describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate.ts';
import { MIGRATIONS } from '../../server/db/migrations.ts';
import type { SqliteEngine } from '../../server/db/sqlite.ts';
import { T0, tempSqliteFiles } from './helpers.ts';

const freshDb = tempSqliteFiles('smartdmv-migrate-');

/** A database as the first release left it: migration 1 and some rows, clientIds included. */
async function releasedDb(): Promise<SqliteEngine> {
  const db = freshDb();
  await migrate(
    db,
    MIGRATIONS.filter((m) => m.id === 1),
    () => T0,
  );
  db.raw.exec(`
    INSERT INTO practices (id, name, tenant_id, created_at) VALUES (1, 'P', 'p', 0);
    INSERT INTO users (id, tenant_id, name, role, practice_id, version, created_at, updated_at, seq) VALUES (1, 'p', 'Owner', 'CLIENT', 1, 1, 0, 0, 1);
    INSERT INTO users (id, tenant_id, name, role, practice_id, version, created_at, updated_at, seq) VALUES (2, 'p', 'New owner', 'CLIENT', 1, 1, 0, 0, 2);
    INSERT INTO pets (id, name, species, owner_id, practice_id, version, created_at, updated_at, seq) VALUES (1, 'Rex', 'Dog', 2, 1, 2, 0, 0, 3);
    INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('h', 1, 0, 9999999999999);
    UPDATE counters SET value = 10 WHERE name = 'change_seq';
  `);
  const insert = db.raw
    .prepare(`INSERT INTO appointments (id, title, type, date, duration_minutes, status, pet_id, client_id, practice_id, version, created_at, updated_at, seq)
    VALUES (?, 'Visit', ?, 0, '30', 'scheduled', 1, 1, 1, ?, 0, 0, ?)`);
  [
    ['follow-up', 1],
    ['Vaccine', 3],
    ['checkup', 1],
    ['Behaviour talk', 1],
    ['Follow Up', 2],
  ].forEach(([type, version], i) => insert.run(i + 1, type, version, 4 + i));
  return db;
}

describe('issue 9 migrations on a released database', () => {
  it('drop the stored client_id, keep every appointment, and keep sessions', async () => {
    const db = await releasedDb();
    const before = db.raw.prepare('SELECT id, title, date, pet_id, seq FROM appointments ORDER BY id').all();
    await migrate(db, MIGRATIONS, () => T0);
    const columns = (db.raw.prepare('PRAGMA table_info(appointments)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('client_id');
    expect(db.raw.prepare('SELECT id, title, date, pet_id FROM appointments ORDER BY id').all()).toEqual(
      (before as Record<string, unknown>[]).map(({ seq: _seq, ...rest }) => rest),
    );
    expect(db.raw.prepare('SELECT user_id FROM sessions').pluck().all()).toEqual([1]);
    expect(db.raw.pragma('foreign_key_check')).toEqual([]);
  });

  it('rewrite known spellings to the canonical types as versioned changes with undo revisions; unknown types stay', async () => {
    const db = await releasedDb();
    await migrate(db, MIGRATIONS, () => T0);
    const rows = db.raw
      .prepare('SELECT id, type, version, seq, updated_at AS updatedAt FROM appointments ORDER BY id')
      .all();
    expect(rows).toEqual([
      { id: 1, type: 'follow_up', version: 2, seq: 11, updatedAt: T0 },
      { id: 2, type: 'vaccination', version: 4, seq: 12, updatedAt: T0 },
      { id: 3, type: 'checkup', version: 1, seq: 6, updatedAt: 0 },
      { id: 4, type: 'Behaviour talk', version: 1, seq: 7, updatedAt: 0 },
      { id: 5, type: 'follow_up', version: 3, seq: 13, updatedAt: T0 },
    ]);
    expect(db.raw.prepare("SELECT value FROM counters WHERE name = 'change_seq'").pluck().get()).toBe(13);
    expect(
      db.raw
        .prepare(
          "SELECT entity_id AS id, version, previous FROM revisions WHERE entity_type = 'appointments' ORDER BY entity_id",
        )
        .all(),
    ).toEqual([
      { id: 1, version: 2, previous: '{"type":"follow-up"}' },
      { id: 2, version: 4, previous: '{"type":"Vaccine"}' },
      { id: 5, version: 3, previous: '{"type":"Follow Up"}' },
    ]);
  });
});

describe('issue 11 migrations on a database with data', () => {
  it('appointments get overlapAllowed off and the practitioner index; every row gets editedAt = its updatedAt, and no editor (editedBy null)', async () => {
    const db = await releasedDb();
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.id <= 5),
      () => T0,
    );
    db.raw.exec(
      'UPDATE users SET updated_at = 111; UPDATE pets SET updated_at = 222; UPDATE appointments SET updated_at = 333',
    );
    const before = db.raw.prepare('SELECT * FROM appointments ORDER BY id').all() as Record<string, unknown>[];
    await migrate(db, MIGRATIONS, () => T0);
    expect(db.raw.prepare('SELECT * FROM appointments ORDER BY id').all()).toEqual(
      before.map((row) => ({ ...row, overlap_allowed: 0, edited_at: 333, edited_by: null })),
    );
    expect(db.raw.prepare('SELECT DISTINCT edited_at FROM users').pluck().all()).toEqual([111]);
    expect(db.raw.prepare('SELECT DISTINCT edited_at FROM pets').pluck().all()).toEqual([222]);
    expect(
      db.raw.prepare('SELECT DISTINCT edited_by FROM users UNION SELECT edited_by FROM pets').pluck().all(),
    ).toEqual([null]);
    expect(
      db.raw
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'appointments' AND name = 'appointments_practitioner_live'",
        )
        .pluck()
        .get(),
    ).toBe('appointments_practitioner_live');
    expect(() => db.raw.prepare('UPDATE appointments SET overlap_allowed = 2 WHERE id = 1').run()).toThrow(/CHECK/);
  });
});
