/** The typed query layer: drizzle over the better-sqlite3 connection. */
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SqliteDatabase } from './open.ts';
import { schema } from './schema.ts';

export type Orm = BetterSQLite3Database<typeof schema> & { $client: SqliteDatabase };

export function createOrm(db: SqliteDatabase): Orm {
  return drizzle({ client: db, schema });
}
