/** Opens (and creates on first start) the SQLite database file. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export type SqliteDatabase = Database.Database;

export function openDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: every commit is on disk before the push is answered. A device drops an operation from
  // its queue once the server acknowledged it, so an acknowledged write must survive a power cut
  // (NORMAL syncs the WAL only at checkpoints: the last commits could vanish). One fsync per
  // transaction: a push of 1,000 operations is one transaction.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Statement and savepoint journals in memory, not in temp files (pushes were 2x slower).
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32000');
  // Checkpoint every ~32 MB of WAL instead of 4 MB: pages rewritten by many commits (random-key
  // index pages: op ids, temp ids) are copied to the database once instead of many times.
  db.pragma('wal_autocheckpoint = 8000');
  return db;
}
