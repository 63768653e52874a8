/** Server configuration, from the environment. Documented in the README ("Configuration"). */
import path from 'node:path';

export interface ServerConfig {
  port: number;
  host: string;
  databasePath: string;
  /** Built app (vite build output) served at `/`. */
  distDir: string;
  /** Log one line per request. */
  logRequests: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${env.PORT}"`);
  }
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    databasePath: path.resolve(env.DATABASE_PATH ?? './data/smartdmv.db'),
    distDir: path.resolve(env.DIST_DIR ?? './dist'),
    logRequests: env.LOG_REQUESTS !== '0',
  };
}
