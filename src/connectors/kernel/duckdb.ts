/**
 * The embedded DuckDB engine of a kernel (runs inside the kernel child process). It owns one
 * in-memory database and one connection, locks them down before any user SQL, and runs SQL cells:
 * registers the notebook values a cell reads as tables, runs its statements in order (each through
 * the write guard, see duckdb-statements.ts), and returns the last statement's result as a
 * QuireTable. Calls are serialized: registrations are per connection, so two cells must not
 * interleave.
 */
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { DuckDBInstance } from './duckdb-api.js';
import fs from 'node:fs';
import path from 'node:path';
import type { TableValue } from '../../outputs/types.js';
import { allowList, duckdbLister, withSlash, type AllowList } from './allow-list.js';
import { sqlError, type ErrorContext } from './duckdb-errors.js';
import { WriteGuard } from './duckdb-guard.js';
import { KeptResults } from './duckdb-keep.js';
import { lockDown, memorySettings } from './duckdb-lockdown.js';
import { runStatement } from './duckdb-statements.js';
import { registerTables, unregisterTables } from './duckdb-tables.js';
import { quoteLiteral } from './sql-quote.js';
import { splitStatements, type SqlStatement } from './sql-split.js';
import { QuireTable } from './table.js';

export interface ExecuteRequest {
  sql: string;
  /** values for `$1`, `$2`, … */
  parameters: unknown[];
  /** notebook names the query reads as tables -> their current JS values */
  tables: Record<string, unknown>;
  /** the variable the result is bound to; a named result is kept in DuckDB for later queries */
  name?: string;
}

export interface SqlEngine {
  execute(req: ExecuteRequest): Promise<TableValue>;
  query(sql: string, parameters: unknown[]): Promise<TableValue>;
  /** DuckDB's version, e.g. `v1.5.6` */
  version: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** the folder cells read (its hidden paths excepted) */
  workspace: string;
  /** the one folder cells may write */
  scratch: string;
  /** absolute paths inside the workspace that SQL must not read (`.quire/`, `.git/`) */
  hidden?: readonly string[];
  /** absolute paths the kernel's user was not granted (hidden too; errors say why) */
  ungranted?: readonly string[];
  /** absolute paths inside hidden or ungranted ones that SQL may read again (granted inside) */
  shown?: readonly string[];
  /**
   * the workspace's readable entries when the host listed them (it can list every folder; a kernel
   * without the OS sandbox cannot list the folders it must split): used instead of listing here
   */
  readable?: readonly string[];
  /** true when the OS already mounts the workspace read-only (the write guard then only evaluates targets) */
  osSandbox?: boolean;
  /** DuckDB's memory_limit in MiB; absent = DuckDB's default */
  memoryMb?: number;
}

export async function openDuckDb(options: OpenOptions): Promise<SqlEngine> {
  fs.mkdirSync(path.join(options.scratch, 'duckdb-tmp'), { recursive: true });
  // The host passes the workspace's real path; a kernel that may read only entries of it cannot
  // resolve it again (the permission model refuses the folder itself).
  const workspace = options.readable ? path.resolve(options.workspace) : fs.realpathSync(options.workspace);
  const scratch = fs.realpathSync(options.scratch);
  const hidden = (options.hidden ?? []).map((h) => path.resolve(h));
  const ungranted = (options.ungranted ?? []).map((h) => path.resolve(h));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const allow = options.readable
    ? listed(scratch, options.readable)
    : await allowList(workspace, scratch, {
        hidden: [...hidden, ...ungranted],
        shown: options.shown ?? [],
        list: duckdbLister(conn),
      });
  await lockDown(conn, { workspace, scratch, allow, memoryMb: options.memoryMb });
  // `scratch('out.parquet')`: the scratch folder's path for a file name, usable in reads and writes.
  await conn.run(`CREATE OR REPLACE TEMP MACRO scratch(name) AS ${quoteLiteral(scratch + path.sep)} || name`);
  const version = await versionOf(conn);
  const context: ErrorContext = {
    workspace,
    scratch,
    hidden,
    ungranted,
    ...(hidden.length + ungranted.length > 0 ? { allow } : {}),
    ...(options.memoryMb === undefined ? {} : { memory: memorySettings(options.memoryMb) }),
  };
  const guard = new WriteGuard(conn, { scratch, enforce: options.osSandbox !== true });
  return new DuckDbEngine(instance, conn, version, guard, context);
}

/** An allow-list from entries listed already: folders end with a separator. */
function listed(scratch: string, readable: readonly string[]): AllowList {
  return {
    directories: [withSlash(scratch), ...readable.filter((p) => p.endsWith(path.sep))],
    files: readable.filter((p) => !p.endsWith(path.sep)),
  };
}

async function versionOf(conn: DuckDBConnection): Promise<string> {
  const rows = await (await conn.run('SELECT version()')).getRowsJS();
  return String(rows[0]?.[0] ?? 'unknown');
}

class DuckDbEngine implements SqlEngine {
  readonly #kept = new KeptResults();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly version: string,
    private readonly guard: WriteGuard,
    private readonly context: ErrorContext,
  ) {}

  execute(req: ExecuteRequest): Promise<TableValue> {
    return this.#serialized(() => this.#execute(req));
  }

  query(sql: string, parameters: unknown[]): Promise<TableValue> {
    return this.execute({ sql, parameters, tables: {} });
  }

  async close(): Promise<void> {
    await this.#tail.catch(() => undefined);
    this.conn.closeSync();
    this.instance.closeSync();
  }

  #serialized<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #execute(req: ExecuteRequest): Promise<QuireTable> {
    const statements = splitStatements(req.sql);
    if (statements.length === 0) return new QuireTable([], []);
    const registrations = await registerTables(this.conn, req.tables, (t) => this.#keptSource(t)).catch(
      (e: unknown) => {
        throw sqlError(e);
      },
    );
    try {
      let result = new QuireTable([], []);
      for (const [i, statement] of statements.entries()) {
        const last = i === statements.length - 1;
        result = await this.#runStatement(statement, req.parameters, last ? req.name : undefined);
      }
      return result;
    } finally {
      await unregisterTables(this.conn, registrations);
    }
  }

  async #runStatement(statement: SqlStatement, parameters: unknown[], keepAs?: string): Promise<QuireTable> {
    const chunks: DuckDBDataChunk[] = [];
    let table: QuireTable;
    try {
      table = await runStatement(statement.text, {
        conn: this.conn,
        guard: this.guard,
        parameters,
        ...(keepAs ? { onChunk: (chunk: DuckDBDataChunk) => chunks.push(chunk) } : {}),
      });
    } catch (error) {
      throw sqlError(error, statement.line, statement.text, this.context);
    }
    if (keepAs && table.numRows > 0) await this.#keep(keepAs, table, chunks);
    return table;
  }

  async #keep(name: string, table: QuireTable, chunks: DuckDBDataChunk[]): Promise<void> {
    const kept = await this.#kept.keep(this.conn, name, table.columns, chunks);
    if (kept) table.origin = { engine: this, ...kept };
  }

  /** The kept temp table still holding `table`'s rows, if any. */
  #keptSource(table: QuireTable): string | undefined {
    const origin = table.origin;
    if (!origin || origin.engine !== this) return undefined;
    return this.#kept.generation(origin.table) === origin.generation ? origin.table : undefined;
  }
}
