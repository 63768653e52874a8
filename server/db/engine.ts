/**
 * The one database interface the server is written against, implemented by both engines:
 * SQLite (db/sqlite.ts, embedded default) and PostgreSQL (db/postgres.ts, when DATABASE_URL is set).
 *
 * SQL is written once: named parameters (`@name`, from an object) or positional ones (`?`, from an
 * array); the PostgreSQL engine rewrites them to `$1, $2, ...` once per statement text. Where the
 * dialects differ, the caller asks `db.dialect`.
 *
 * Every access belongs to a scope: `read` (one consistent snapshot) or `write` (one transaction);
 * `savepoint` nests inside a write. Statements prepared once run on the scope's connection.
 * Results may be plain values (SQLite answers synchronously: no promise per statement on its hot
 * path) or promises (PostgreSQL): callers always `await` them.
 */

export type Dialect = 'sqlite' | 'postgres';
export type Params = Readonly<Record<string, unknown>> | readonly unknown[];
export type MaybePromise<T> = T | Promise<T>;

/** Per-transaction values, by name. */
export type ScopeState = Record<string, unknown>;

export interface RunResult {
  changes: number;
}

export interface Statement<R = Record<string, unknown>> {
  get(params?: Params): MaybePromise<R | undefined>;
  all(params?: Params): MaybePromise<R[]>;
  run(params?: Params): MaybePromise<RunResult>;
  /** The first column of the first row. */
  value<V = unknown>(params?: Params): MaybePromise<V | undefined>;
  /** The first column of every row. */
  values<V = unknown>(params?: Params): MaybePromise<V[]>;
  /** Runs an INSERT made with `insertStatement` and answers the new row's id. */
  insert(params?: Params): MaybePromise<number>;
}

export interface Database {
  readonly dialect: Dialect;
  /** Where the data lives, for logs (a file, or the URL without its password). */
  readonly location: string;
  prepare<R = Record<string, unknown>>(sql: string): Statement<R>;
  /** An `INSERT` whose `insert()` answers the new id (SQLite: its rowid; PostgreSQL: RETURNING id). */
  prepareInsert(sql: string): Statement<never>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Statements outside any transaction, each on its own (a session look-up, a sign-out). On
   * SQLite they wait for the scope in progress, as a scope does; on PostgreSQL they run at once
   * on a pooled connection.
   */
  direct<T>(fn: () => MaybePromise<T>): Promise<T>;
  /** One read-only snapshot: every statement in `fn` sees the same committed state. */
  read<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * One write transaction; a throw rolls it back. Not reentrant: nest with `savepoint`.
   * SQLite: BEGIN IMMEDIATE (one writer at a time, across processes too). PostgreSQL: READ
   * COMMITTED; what serialises writers is the caller's business (store/sync-log.ts locks the
   * change counter first).
   */
  write<T>(fn: () => Promise<T>): Promise<T>;
  /** Inside `write`: `fn` in a SAVEPOINT; a throw rolls back `fn`'s writes only, then rethrows. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * The current write scope's own state (undefined outside one): what a transaction keeps for
   * itself (the change numbers it hands out). Several writes may run at once on PostgreSQL.
   */
  state(): ScopeState | undefined;
  close(): Promise<void>;
}

/**
 * A list of text values bound as ONE parameter, for `column IN <list>` (a batch's look-ups in one
 * statement): `inTextList(db)` is the SQL after the column, `textListParam(db, values)` its value.
 * SQLite reads the list from JSON (json_each), PostgreSQL takes a text array.
 */
export const inTextList = (db: Pick<Database, 'dialect'>): string =>
  db.dialect === 'postgres' ? '= ANY(CAST(? AS TEXT[]))' : 'IN (SELECT value FROM json_each(?))';
export const textListParam = (db: Pick<Database, 'dialect'>, values: readonly string[]): unknown =>
  db.dialect === 'postgres' ? [...values] : JSON.stringify(values);

/** `fn(value)`, without a promise (nor a microtask) when `value` is not one: SQLite's hot path stays synchronous. */
export function andThen<T, U>(value: MaybePromise<T>, fn: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** A database error's SQLSTATE (PostgreSQL) or SQLite code, if any. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return (err as { code: string }).code;
  return undefined;
}

/** Unique index violated (the op log's opId, the temp-id map). */
export function isUniqueViolation(err: unknown): boolean {
  const code = errorCode(err);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Exclusion constraint violated (PostgreSQL's double-booking constraints). */
export function isExclusionViolation(err: unknown): boolean {
  return errorCode(err) === '23P01';
}

/** Text PostgreSQL cannot store: the NUL character (U+0000), which SQLite keeps. */
export function isUnstorableText(err: unknown): boolean {
  return errorCode(err) === '22021' || errorCode(err) === '22P05';
}

/** Serialization failure or deadlock (PostgreSQL): the transaction may be run again. */
export function isRetryable(err: unknown): boolean {
  const code = errorCode(err);
  return code === '40001' || code === '40P01';
}
