/** Applies pending migrations in order, each in its own transaction, and records them. */
import type { SqliteDatabase } from './open.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';

export interface MigrationReport {
  applied: number[];
  current: number;
}

export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS, now: () => number = Date.now): MigrationReport {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  for (const migration of sorted) {
    // IMMEDIATE, and checked inside: a second process starting at the same time waits, then skips.
    const ran = db.transaction(() => {
      if (isApplied.get(migration.id) !== undefined) return false;
      if (migration.sql) db.exec(migration.sql);
      migration.up?.(db, now());
      record.run(migration.id, migration.name, now());
      return true;
    }).immediate();
    if (ran) applied.push(migration.id);
  }
  return { applied, current: sorted.at(-1)?.id ?? 0 };
}
