/**
 * The SQLite engine (better-sqlite3: synchronous, one connection). Scopes take turns on the one
 * connection: while a `read` or `write` runs (it may await between statements), the next one
 * waits, so no scope ever sees another's uncommitted rows. Statements answer synchronously (plain
 * values, no promise), so a push of 1,000 operations costs what it cost before the interface.
 */
import type { Database as RawDatabase, Statement as RawStatement } from 'better-sqlite3';
import type { Database, MaybePromise, Params, RunResult, ScopeState, Statement } from './engine.ts';
import { openDatabase, type SqliteDatabase } from './open.ts';

class SqliteStatement<R> implements Statement<R> {
  private stmt: RawStatement | null = null;
  private plucked: RawStatement | null = null;
  constructor(
    private readonly raw: RawDatabase,
    private readonly sql: string,
  ) {}

  private prepared(): RawStatement {
    return (this.stmt ??= this.raw.prepare(this.sql));
  }

  private pluck(): RawStatement {
    return (this.plucked ??= this.raw.prepare(this.sql).pluck());
  }

  get(params?: Params): R | undefined {
    return call(this.prepared(), 'get', params) as R | undefined;
  }

  all(params?: Params): R[] {
    return call(this.prepared(), 'all', params) as R[];
  }

  run(params?: Params): RunResult {
    const stmt = this.prepared();
    // A statement with RETURNING is a reader for better-sqlite3: run it through all().
    if (stmt.reader) return { changes: (call(stmt, 'all', params) as unknown[]).length };
    return { changes: (call(stmt, 'run', params) as { changes: number }).changes };
  }

  insert(params?: Params): number {
    return Number((call(this.prepared(), 'run', params) as { lastInsertRowid: number | bigint }).lastInsertRowid);
  }

  // The caller names the column's type (Statement.value of engine.ts).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  value<V>(params?: Params): V | undefined {
    return call(this.pluck(), 'get', params) as V | undefined;
  }

  values<V>(params?: Params): V[] {
    return call(this.pluck(), 'all', params) as V[];
  }
}

function call(stmt: RawStatement, method: 'get' | 'all' | 'run', params: Params | undefined): unknown {
  if (params === undefined) return stmt[method]();
  if (Array.isArray(params)) return stmt[method](...(params as unknown[]));
  return stmt[method](params);
}

export interface SqliteEngine extends Database {
  /** The better-sqlite3 connection (tests, bulk tools). */
  readonly raw: SqliteDatabase;
}

export function createSqliteEngine(raw: SqliteDatabase, location: string): SqliteEngine {
  let busy = false;
  const waiting: (() => void)[] = [];
  let scope: { write: boolean; depth: number; state: ScopeState } | null = null;

  async function exclusive<T>(write: boolean, begin: string | null, fn: () => MaybePromise<T>): Promise<T> {
    if (busy) await new Promise<void>((resolve) => waiting.push(resolve));
    busy = true;
    scope = { write, depth: 0, state: {} };
    try {
      if (begin === null) return await fn();
      raw.exec(begin);
      let result: T;
      try {
        result = await fn();
      } catch (err) {
        if (raw.inTransaction) raw.exec('ROLLBACK');
        throw err;
      }
      raw.exec('COMMIT');
      return result;
    } finally {
      scope = null;
      const next = waiting.shift();
      if (next) next();
      else busy = false;
    }
  }

  return {
    dialect: 'sqlite',
    location,
    raw,
    prepare: <R = Record<string, unknown>>(sql: string): Statement<R> => new SqliteStatement<R>(raw, sql),
    prepareInsert: (sql: string): Statement<never> => new SqliteStatement<never>(raw, sql),
    exec: async (sql) => void raw.exec(sql),
    direct: (fn) => exclusive(false, null, fn),
    read: (fn) => exclusive(false, 'BEGIN', fn),
    // IMMEDIATE: the write lock up front, so another process cannot write in between.
    write: (fn) => exclusive(true, 'BEGIN IMMEDIATE', fn),
    async savepoint(fn) {
      if (!scope?.write) throw new Error('savepoint() outside write()');
      const name = `sp${++scope.depth}`;
      raw.exec(`SAVEPOINT ${name}`);
      try {
        const result = await fn();
        raw.exec(`RELEASE ${name}`);
        return result;
      } catch (err) {
        raw.exec(`ROLLBACK TO ${name}`);
        raw.exec(`RELEASE ${name}`);
        throw err;
      } finally {
        scope.depth--;
      }
    },
    state: () => (scope?.write ? scope.state : undefined),
    close: async () => void raw.close(),
  };
}

/** Opens (and creates) the database file as an engine. */
export function openSqlite(file: string): SqliteEngine {
  return createSqliteEngine(openDatabase(file), file);
}
