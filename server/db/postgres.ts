/**
 * The PostgreSQL engine (node-postgres): a connection pool, and named prepared statements
 * (each statement text is parsed once per connection, then only bound and executed).
 *
 * A `read` or `write` scope holds one pooled connection for its transaction; statements find
 * it through AsyncLocalStorage, so the store's code is the same as on SQLite. Outside a scope a
 * statement runs on any free connection, on its own (autocommit).
 * BIGINT columns (ms times, ids) come back as JS numbers: every value stored fits in 2^53.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { errorCode, type Database, type Params, type RunResult, type ScopeState, type Statement } from './engine.ts';

pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

interface Scope {
  client: pg.PoolClient;
  write: boolean;
  depth: number;
  state: ScopeState;
}

/** `@name` and `?` placeholders → `$n`, and how to turn the caller's params into the value list. */
export function translate(sql: string): { text: string; names: string[] | null } {
  const names: string[] = [];
  let positional = 0;
  let named = false;
  // Skips quoted strings and identifiers; `::` casts are left alone.
  const text = sql.replace(
    /'(?:[^']|'')*'|"(?:[^"]|"")*"|@([A-Za-z_][A-Za-z0-9_]*)|\?/g,
    (match, name: string | undefined) => {
      if (match.startsWith("'") || match.startsWith('"')) return match;
      if (name !== undefined) {
        named = true;
        let index = names.indexOf(name);
        if (index < 0) index = names.push(name) - 1;
        return `$${index + 1}`;
      }
      return `$${++positional}`;
    },
  );
  if (named && positional > 0) throw new Error(`statement mixes @named and ? parameters: ${sql}`);
  return { text, names: named ? names : null };
}

class PgStatement<R> implements Statement<R> {
  private readonly name: string;
  private readonly text: string;
  private readonly names: string[] | null;

  constructor(
    private readonly engine: { current(): pg.PoolClient | pg.Pool },
    sql: string,
  ) {
    const { text, names } = translate(sql);
    this.text = text;
    this.names = names;
    this.name = `s_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
  }

  private values_(params: Params | undefined): unknown[] {
    if (params === undefined) return [];
    if (Array.isArray(params)) return params.map(toPg);
    const object = params as Record<string, unknown>;
    return (this.names ?? []).map((n) => toPg(object[n]));
  }

  private async query(params: Params | undefined, rowMode?: 'array'): Promise<pg.QueryResult> {
    const config: pg.QueryConfig & { rowMode?: 'array' } = {
      name: this.name,
      text: this.text,
      values: this.values_(params),
    };
    if (rowMode) config.rowMode = rowMode;
    return this.engine.current().query(config as pg.QueryConfig);
  }

  async get(params?: Params): Promise<R | undefined> {
    return (await this.query(params)).rows[0] as R | undefined;
  }

  async all(params?: Params): Promise<R[]> {
    return (await this.query(params)).rows as R[];
  }

  async run(params?: Params): Promise<RunResult> {
    return { changes: (await this.query(params)).rowCount ?? 0 };
  }

  async insert(params?: Params): Promise<number> {
    const row = (await this.query(params)).rows[0] as { id?: number } | undefined;
    if (typeof row?.id !== 'number') throw new Error(`INSERT answered no id: ${this.text}`);
    return row.id;
  }

  async value<V>(params?: Params): Promise<V | undefined> {
    const row = (await this.query(params, 'array')).rows[0] as unknown[] | undefined;
    return row?.[0] as V | undefined;
  }

  async values<V>(params?: Params): Promise<V[]> {
    return ((await this.query(params, 'array')).rows as unknown[][]).map((r) => r[0] as V);
  }
}

/** undefined → NULL (better-sqlite3 refuses it; callers pass null); booleans stay booleans. */
function toPg(value: unknown): unknown {
  return value === undefined ? null : value;
}

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number;
}

export function openPostgres(url: string, options: PostgresOptions = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle connection dropped by the server must not crash the process.
  pool.on('error', () => undefined);
  const als = new AsyncLocalStorage<Scope>();
  const engine = { current: () => als.getStore()?.client ?? pool };
  const shown = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

  async function scoped<T>(write: boolean, begin: string, fn: () => Promise<T>): Promise<T> {
    if (als.getStore()) throw new Error(`${write ? 'write' : 'read'}() inside another scope: nest with savepoint()`);
    const client = await pool.connect();
    // A connection whose BEGIN, COMMIT or ROLLBACK failed without an SQLSTATE (the socket, not the
    // transaction) is closed instead of going back to the pool.
    let broken = false;
    const control = async (sql: string): Promise<void> => {
      try {
        await client.query(sql);
      } catch (err) {
        if (errorCode(err) === undefined) broken = true;
        throw err;
      }
    };
    try {
      await control(begin);
      let result: T;
      try {
        result = await als.run({ client, write, depth: 0, state: {} }, fn);
      } catch (err) {
        await control('ROLLBACK').catch(() => undefined);
        throw err;
      }
      await control('COMMIT');
      return result;
    } finally {
      client.release(broken);
    }
  }

  return {
    dialect: 'postgres',
    location: shown,
    prepare: <R>(sql: string) => new PgStatement<R>(engine, sql),
    prepareInsert: (sql: string) => new PgStatement<never>(engine, `${sql} RETURNING id`),
    exec: async (sql) => {
      await engine.current().query(sql);
    },
    direct: async (fn) => fn(),
    read: (fn) => scoped(false, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn),
    write: (fn) => scoped(true, 'BEGIN', fn),
    async savepoint(fn) {
      const scope = als.getStore();
      if (!scope?.write) throw new Error('savepoint() outside write()');
      const name = `sp${++scope.depth}`;
      await scope.client.query(`SAVEPOINT ${name}`);
      try {
        const result = await fn();
        await scope.client.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        await scope.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        await scope.client.query(`RELEASE SAVEPOINT ${name}`);
        throw err;
      } finally {
        scope.depth--;
      }
    },
    state: () => {
      const scope = als.getStore();
      return scope?.write ? scope.state : undefined;
    },
    close: () => pool.end(),
  };
}
