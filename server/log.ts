/**
 * Server logs through pino (Fastify's logger): one JSON object per line. Text a user supplied
 * (an email, a path, an origin) travels only as a JSON string value, so a newline, NUL or other
 * control character in it is escaped (`\n`, `\u0000`) and can never start a line of its own.
 * Each record has `tag` (`[SyncPush]`, `[SyncPull]`, `[Auth]`, `[Http]`, `[Server]`) and `msg`,
 * a sentence the server wrote; the user's text goes in named fields next to it.
 */
import { pino, type DestinationStream, type Logger as Pino } from 'pino';

export type LogFields = Record<string, unknown>;

export interface Logger {
  /** The pino instance Fastify logs through. */
  readonly pino: Pino;
  info(tag: string, message: string, fields?: LogFields): void;
  warn(tag: string, message: string, fields?: LogFields): void;
  /** A server fault (a bug): logged with its stack. Never for bad input. */
  error(message: string, err?: unknown): void;
  /** One line per API request; `route` is the route pattern (server text), `path` what was asked. */
  request(entry: { method: string; route: string; path: string; status: number; durationMs: number }): void;
}

export interface LoggerOptions {
  /** Log one `[Http]` line per API request. */
  requests?: boolean;
  level?: string;
}

export function createLogger(
  destination: DestinationStream = pino.destination(1),
  options: LoggerOptions = {},
): Logger {
  const base = pino(
    { level: options.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  const requests = options.requests ?? true;
  return {
    pino: base,
    info: (tag, message, fields) => base.info({ tag, ...fields }, `${tag} ${message}`),
    warn: (tag, message, fields) => base.warn({ tag, ...fields }, `${tag} ${message}`),
    error: (message, err) => base.error({ tag: '[Server]', err }, `[Server] ${message}`),
    request: ({ method, route, path, status, durationMs }) => {
      if (!requests) return;
      const ms = durationMs.toFixed(1);
      base.info({ tag: '[Http]', method, path, status, ms: Number(ms) }, `[Http] ${method} ${route} ${status} ${ms}ms`);
    },
  };
}

/** Stdout, as `npm run server` logs. */
export function createConsoleLogger(options: LoggerOptions = {}): Logger {
  return createLogger(pino.destination({ dest: 1, sync: false }), options);
}

/**
 * A logger that keeps what it writes (tests, benchmarks): `raw` holds the exact lines written,
 * `lines` the `msg` of each, `records` each line parsed.
 */
export function createMemoryLogger(
  options: LoggerOptions = {},
): Logger & { lines: string[]; raw: string[]; records: LogFields[] } {
  const raw: string[] = [];
  const lines: string[] = [];
  const records: LogFields[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        raw.push(line);
        const record = JSON.parse(line) as LogFields;
        records.push(record);
        lines.push(String(record.msg));
      }
    },
  };
  return Object.assign(createLogger(destination, { level: 'debug', ...options }), { lines, raw, records });
}
