/** The database the configuration names: PostgreSQL when DATABASE_URL is set, else the SQLite file. */
import type { ServerConfig } from '../config.ts';
import type { Database } from './engine.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';

export function connect(config: Pick<ServerConfig, 'databasePath' | 'databaseUrl' | 'databasePoolSize'>): Database {
  return config.databaseUrl
    ? openPostgres(config.databaseUrl, { max: config.databasePoolSize })
    : openSqlite(config.databasePath);
}
