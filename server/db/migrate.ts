/** Applies pending migrations in order, each in its own transaction, and records them. */
import type { Database } from './engine.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';
import { PG_MIGRATIONS } from './migrations-pg.ts';

export interface MigrationReport {
  applied: number[];
  current: number;
}

/** Any number: PostgreSQL's advisory lock that serialises migrating processes. */
export const MIGRATION_LOCK = 7_200_412;

export function migrationsFor(db: Database): readonly Migration[] {
  return db.dialect === 'sqlite' ? MIGRATIONS : PG_MIGRATIONS;
}

export async function migrate(
  db: Database,
  migrations: readonly Migration[] = migrationsFor(db),
  now: () => number = Date.now,
): Promise<MigrationReport> {
  // Several processes may start at once: SQLite's BEGIN IMMEDIATE, or PostgreSQL's advisory lock
  // (held to the end of each transaction), makes the others wait, then find the migration applied.
  const lock = db.dialect === 'postgres' ? db.prepare('SELECT pg_advisory_xact_lock(?)') : null;
  const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`;
  await db.write(async () => {
    await lock?.run([MIGRATION_LOCK]);
    await db.exec(createTable);
  });
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?');
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  for (const migration of sorted) {
    const ran = await db.write(async () => {
      await lock?.run([MIGRATION_LOCK]);
      if ((await isApplied.value([migration.id])) !== undefined) return false;
      if (migration.sql) await db.exec(migration.sql);
      await migration.up?.(db, now());
      await record.run([migration.id, migration.name, now()]);
      return true;
    });
    if (ran) applied.push(migration.id);
  }
  return { applied, current: sorted.at(-1)?.id ?? 0 };
}
