/**
 * The embedded store: one SQLite file under `.quire/`, through better-sqlite3. WAL mode lets a
 * `quire runs` read while a server writes; `busy_timeout` makes two writers (a `quire run` next to
 * a `quire serve`) wait for each other instead of failing.
 *
 * better-sqlite3 is synchronous; wrapping each call in a promise keeps one `Db` interface with
 * PostgreSQL. A transaction holds SQLite's single writer lock from BEGIN IMMEDIATE to COMMIT, so
 * transactions on one connection are chained, never interleaved.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { makeDirsSync } from '../shared/make-dirs.js';
import type { Db, Row, SqlValue } from './db.js';

const require = createRequire(import.meta.url);

type Database = BetterSqlite3.Database;

/** booleans as 0/1: SQLite has no boolean and better-sqlite3 refuses JS booleans */
const bind = (params: readonly SqlValue[]): unknown[] =>
  params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private chain: Promise<unknown> = Promise.resolve();
  private inTransaction = false;

  constructor(
    private readonly db: Database,
    readonly label: string,
  ) {}

  all<T extends Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.outside(() => this.allNow<T>(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.outside(() => this.runNow(sql, params));
  }

  allNow<T extends Row>(sql: string, params: readonly SqlValue[]): T[] {
    const statement = this.db.prepare(sql);
    return (statement.reader ? statement.all(...bind(params)) : (statement.run(...bind(params)), [])) as T[];
  }

  runNow(sql: string, params: readonly SqlValue[]): number {
    const statement = this.db.prepare(sql);
    if (statement.reader) return statement.all(...bind(params)).length;
    return statement.run(...bind(params)).changes;
  }

  /** A statement outside a transaction waits for a running transaction to end. */
  private outside<T>(fn: () => T): Promise<T> {
    if (!this.inTransaction) {
      try {
        return Promise.resolve(fn());
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const next = this.chain.then(() => this.runTransaction(fn));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    this.db.exec('BEGIN IMMEDIATE');
    this.inTransaction = true;
    const tx: Db = {
      dialect: 'sqlite',
      label: this.label,
      all: <R extends Row>(sql: string, params: readonly SqlValue[] = []) =>
        Promise.resolve(this.allNow<R>(sql, params)),
      run: (sql, params = []) => Promise.resolve(this.runNow(sql, params)),
      transaction: (inner) => inner(tx),
      close: () => Promise.resolve(),
    };
    try {
      const result = await fn(tx);
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}

/**
 * Opens (creating) the SQLite file at `path`. `QUIRE_SQLITE_BINDING` may name a better-sqlite3
 * binary built for another Node ABI (the compatibility run on Node 22/24 uses it).
 */
export function openSqlite(path: string): Db {
  if (path !== ':memory:') makeDirsSync(dirname(path));
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const binding = process.env.QUIRE_SQLITE_BINDING;
  const db = new Database(path, binding ? { nativeBinding: binding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  // WAL keeps committed transactions through a crash of the process; NORMAL only risks the last
  // ones on power loss, and fsyncs far less than FULL.
  db.pragma('synchronous = NORMAL');
  return new SqliteDb(db, path);
}
