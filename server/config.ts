/** Server configuration, from the environment. Documented in the README ("Configuration"). */
import path from 'node:path';

export interface HttpConfig {
  /** Origins other than the server's own that may send writes (`ALLOWED_ORIGINS`, comma-separated). */
  allowedOrigins: string[];
  /**
   * Fastify's `trustProxy` (`TRUST_PROXY`): unset trusts nobody, so `X-Forwarded-Proto`/`-For`
   * are ignored; `true`, a hop count, or addresses/CIDRs of the proxies.
   */
  trustProxy: boolean | number | string;
  /** Serve `*.map` files of the built app (`SERVE_SOURCEMAPS=1`). */
  serveSourceMaps: boolean;
}

export interface ServerConfig extends HttpConfig {
  port: number;
  host: string;
  databasePath: string;
  /** PostgreSQL instead of the SQLite file, when set (DATABASE_URL). */
  databaseUrl: string | undefined;
  /** Connections per process to PostgreSQL (DATABASE_POOL_SIZE, default 10). */
  databasePoolSize: number;
  /** How long sync bookkeeping (op log, temp ids, revisions) is kept (SYNC_RETENTION_DAYS, default 180). */
  retentionMs: number;
  /** Built app (vite build output) served at `/`. */
  distDir: string;
  /** Log one line per request. */
  logRequests: boolean;
  logLevel: string;
}

export function parseAllowedOrigins(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((origin) => {
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        throw new Error(`ALLOWED_ORIGINS: "${origin}" is not an origin like https://tablet.example:8443`);
      }
      if (parsed.origin !== origin.replace(/\/$/, ''))
        throw new Error(`ALLOWED_ORIGINS: "${origin}" must be an origin only (scheme, host, port)`);
      return parsed.origin;
    });
}

export function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === 'true') return true;
  // A hop count: `1` for one reverse proxy in front (its X-Forwarded-* are believed, nothing before it).
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** `postgres://` or `postgresql://` URL, or undefined (SQLite at DATABASE_PATH). */
export function parseDatabaseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(value))
    throw new Error(
      'DATABASE_URL must be a postgres:// (or postgresql://) URL; leave it unset for SQLite (DATABASE_PATH)',
    );
  return value;
}

function parseRetentionDays(value: string | undefined): number {
  const days = Number(value ?? 180);
  // At least a session's lifetime (30 days): a device must be able to retry for as long as it can sign in.
  if (!Number.isInteger(days) || days < 30)
    throw new Error(`SYNC_RETENTION_DAYS must be a whole number of days, at least 30, got "${value}"`);
  return days;
}

function parsePoolSize(value: string | undefined): number {
  const size = Number(value ?? 10);
  if (!Number.isInteger(size) || size < 1 || size > 200)
    throw new Error(`DATABASE_POOL_SIZE must be an integer from 1 to 200, got "${value}"`);
  return size;
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
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL),
    databasePoolSize: parsePoolSize(env.DATABASE_POOL_SIZE),
    retentionMs: parseRetentionDays(env.SYNC_RETENTION_DAYS) * 24 * 60 * 60 * 1000,
    distDir: path.resolve(env.DIST_DIR ?? './dist'),
    logRequests: env.LOG_REQUESTS !== '0',
    logLevel: env.LOG_LEVEL ?? 'info',
    allowedOrigins: parseAllowedOrigins(env.ALLOWED_ORIGINS),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    serveSourceMaps: env.SERVE_SOURCEMAPS === '1',
  };
}
