/**
 * The embedded DuckDB engine of a kernel (runs inside the kernel child process). It owns one
 * in-memory database and one connection, locks them down before any user SQL, and runs SQL cells:
 * registers the notebook values a cell reads as tables, runs its statements in order, and returns
 * the last statement's result as a QuireTable. Calls are serialized: registrations are per
 * connection, so two cells must not interleave.
 */
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { DuckDBInstance } from './duckdb-api.js';
import fs from 'node:fs';
import path from 'node:path';
import type { TableValue } from '../outputs/types.js';
import { sqlError } from './duckdb-errors.js';
import { KeptResults } from './duckdb-keep.js';
import { lockDown } from './duckdb-lockdown.js';
import { toDuckDbParameter } from './duckdb-params.js';
import { readResult } from './duckdb-read.js';
import { registerTables, unregisterTables } from './duckdb-tables.js';
import { isDense, positionalParameters, toNamedParameters } from './sql-params.js';
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

export async function openDuckDb(options: { workspace: string; scratch: string }): Promise<SqlEngine> {
  fs.mkdirSync(path.join(options.scratch, 'duckdb-tmp'), { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await lockDown(conn, options);
  const version = await versionOf(conn);
  return new DuckDbEngine(instance, conn, version);
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
      const prepared = await prepareWithParameters(this.conn, statement.text, parameters);
      const result = await prepared.run();
      table = await readResult(result, keepAs ? (chunk) => chunks.push(chunk) : undefined);
    } catch (error) {
      throw sqlError(error, statement.line);
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

/**
 * Prepares `text` and binds `$n` to `parameters[n-1]`; a statement may use any subset of the
 * cell's parameters (a gap is bound by name, see sql-params.ts).
 */
async function prepareWithParameters(conn: DuckDBConnection, text: string, parameters: unknown[]) {
  const used = positionalParameters(text);
  for (const index of used) {
    if (index < 1 || index > parameters.length) {
      throw new Error(`Binder Error: parameter $${index} has no value (the cell has ${parameters.length})`);
    }
  }
  if (isDense(used)) {
    const prepared = await conn.prepare(text);
    if (used.size > 0)
      prepared.bind([...used].sort((a, b) => a - b).map((i) => toDuckDbParameter(parameters[i - 1])));
    return prepared;
  }
  const prepared = await conn.prepare(toNamedParameters(text));
  prepared.bind(Object.fromEntries([...used].map((i) => [`p${i}`, toDuckDbParameter(parameters[i - 1])])));
  return prepared;
}
