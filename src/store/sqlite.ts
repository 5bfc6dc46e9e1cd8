/**
 * The embedded store: one SQLite file under `.quire/`. WAL mode lets a `quire runs` read while a
 * server writes; `busy_timeout` makes two writers (a `quire run` next to a `quire serve`) wait for
 * each other instead of failing.
 *
 * Two drivers behind one small interface: Node's own `node:sqlite` on Node 24 and later, and
 * better-sqlite3 before (Node 20 has no `node:sqlite`; Node 22's prints an ExperimentalWarning on
 * every command). On Node 24, better-sqlite3 12 aborts the process when the garbage collector
 * finalizes a statement after Node's environment is gone (`Assertion failed: (env) != nullptr` in
 * `RemoveEnvironmentCleanupHook`), at exit or even mid-run; its fix (v13) requires Node 22.
 * `QUIRE_SQLITE=node|better-sqlite3` picks one explicitly (tests run both).
 *
 * Both are synchronous; wrapping each call in a promise keeps one `Db` interface with PostgreSQL.
 * A transaction holds SQLite's single writer lock from BEGIN IMMEDIATE to COMMIT, so transactions
 * on one connection are chained, never interleaved.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { makeDirsSync } from '../shared/make-dirs.js';
import type { Db, Row, SqlValue } from './db.js';

const require = createRequire(import.meta.url);

/** What the store needs of a SQLite driver. */
interface Driver {
  exec(sql: string): void;
  /** runs one statement: its rows when it returns any (SELECT, RETURNING), else null, and the changes */
  query(sql: string, params: unknown[]): { rows: Row[] | null; changes: number };
  close(): void;
}

/** booleans as 0/1: SQLite has no boolean and both drivers refuse JS booleans */
const bind = (params: readonly SqlValue[]): unknown[] =>
  params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private chain: Promise<unknown> = Promise.resolve();
  private inTransaction = false;

  constructor(
    private readonly db: Driver,
    readonly label: string,
  ) {}

  all<T extends Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.outside(() => this.allNow<T>(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.outside(() => this.runNow(sql, params));
  }

  allNow<T extends Row>(sql: string, params: readonly SqlValue[]): T[] {
    return (this.db.query(sql, bind(params)).rows ?? []) as T[];
  }

  runNow(sql: string, params: readonly SqlValue[]): number {
    const { rows, changes } = this.db.query(sql, bind(params));
    return rows ? rows.length : changes;
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
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // SQLite already rolled back (some errors end the transaction themselves)
      }
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

function betterSqlite3(path: string): Driver {
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  // QUIRE_SQLITE_BINDING: a better-sqlite3 binary built for another Node ABI (the compat run on Node 22)
  const binding = process.env.QUIRE_SQLITE_BINDING;
  const db = new Database(path, binding ? { nativeBinding: binding } : {});
  return {
    exec: (sql) => void db.exec(sql),
    query(sql, params) {
      const statement = db.prepare(sql);
      if (statement.reader) return { rows: statement.all(...params) as Row[], changes: 0 };
      return { rows: null, changes: statement.run(...params).changes };
    },
    close: () => void db.close(),
  };
}

/** The part of `node:sqlite` used here (its types are not in @types/node 20, which this project builds against). */
interface NodeSqlite {
  DatabaseSync: new (path: string) => {
    exec(sql: string): void;
    prepare(sql: string): {
      columns(): unknown[];
      run(...params: unknown[]): { changes: number | bigint };
      all(...params: unknown[]): Record<string, unknown>[];
    };
    close(): void;
  };
}

function nodeSqlite(module: NodeSqlite, path: string): Driver {
  const db = new module.DatabaseSync(path);
  return {
    exec: (sql) => db.exec(sql),
    query(sql, params) {
      const statement = db.prepare(sql);
      if (statement.columns().length === 0)
        return { rows: null, changes: Number(statement.run(...params).changes) };
      // Plain objects and Buffers, as better-sqlite3 gives (rows come with a null prototype, BLOBs as Uint8Array).
      const rows = statement.all(...params).map((row) => {
        const out: Row = {};
        for (const [key, value] of Object.entries(row))
          out[key] =
            value instanceof Uint8Array
              ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
              : value;
        return out;
      });
      return { rows, changes: 0 };
    },
    close: () => db.close(),
  };
}

/** `node:sqlite` when it is there and quiet (Node 24+), else better-sqlite3; QUIRE_SQLITE overrides. */
function driverFor(path: string): Driver {
  const wanted = process.env.QUIRE_SQLITE;
  const major = Number(process.versions.node.split('.')[0]);
  // Loaded only where it may be used: on Node 22 loading it prints an ExperimentalWarning on stderr.
  const builtin =
    wanted === 'node' || (wanted !== 'better-sqlite3' && major >= 24)
      ? ((process.getBuiltinModule as ((id: string) => unknown) | undefined)?.('node:sqlite') as
          NodeSqlite | undefined)
      : undefined;
  if (wanted === 'node' || (wanted !== 'better-sqlite3' && major >= 24 && builtin)) {
    if (!builtin) throw new Error(`QUIRE_SQLITE=node: this Node (${process.version}) has no node:sqlite`);
    return nodeSqlite(builtin, path);
  }
  return betterSqlite3(path);
}

/** Opens (creating) the SQLite file at `path`. */
export function openSqlite(path: string): Db {
  if (path !== ':memory:') makeDirsSync(dirname(path));
  const db = driverFor(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA foreign_keys = ON');
  // WAL keeps committed transactions through a crash of the process; NORMAL only risks the last
  // ones on power loss, and fsyncs far less than FULL.
  db.exec('PRAGMA synchronous = NORMAL');
  return new SqliteDb(db, path);
}
