/**
 * A named PostgreSQL connection, opened in the HOST process (DESIGN §6): the kernel sends the SQL
 * and parameters, the host runs them here, and only columns and rows travel back, so credentials
 * never reach user code.
 *
 * One statement per query: pg sends parameterized queries with the extended protocol, which
 * PostgreSQL limits to a single statement. (Without parameters pg would use the simple protocol
 * and run several, but a cell should not change meaning when it gains a `${…}`.)
 */
import pg from 'pg';
import { pgTypeName, quirePgTypes } from './pg-types.js';
import type { TableColumn } from '../../outputs/types.js';

export interface QueryResult {
  columns: TableColumn[];
  rows: unknown[][];
}

export class PostgresConnection {
  readonly #pool: pg.Pool;

  constructor(url: string, options: { max?: number } = {}) {
    this.#pool = new pg.Pool({ connectionString: url, max: options.max ?? 4, types: quirePgTypes });
    // An idle client's error (server restart) must not crash the host; the next query reconnects.
    this.#pool.on('error', () => undefined);
  }

  async query(sql: string, parameters: unknown[]): Promise<QueryResult> {
    const result = await this.#pool.query({
      text: sql,
      values: parameters.map(toPgParameter),
      rowMode: 'array',
    });
    const fields = result.fields ?? [];
    return {
      columns: fields.map((f) => ({ name: f.name, type: pgTypeName(f.dataTypeID) })),
      rows: (result.rows ?? []) as unknown[][],
    };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** bigint is not a pg parameter type; undefined means SQL NULL like in DuckDB. */
function toPgParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  return value;
}
