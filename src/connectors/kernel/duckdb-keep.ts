/**
 * Keeps a named cell's result inside DuckDB as a temp table, so that a later query naming the
 * cell reads it in place instead of re-loading it from JS. One kept table per cell name; a new
 * run of the cell replaces it and bumps its generation, which tells stale JS values apart.
 */
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import type { TableColumn } from '../../outputs/types.js';
import { quoteIdent } from './sql-quote.js';

export class KeptResults {
  readonly #generations = new Map<string, number>();

  /** The temp table name for a cell name. */
  static tableFor(name: string): string {
    return `__quire_result_${name}`;
  }

  /** The current generation of `table`, if it is kept. */
  generation(table: string): number | undefined {
    return this.#generations.get(table);
  }

  /**
   * Replaces the kept table for `name` with `chunks`; returns its table and generation, or
   * undefined when DuckDB cannot re-create the column types (the result is then simply not kept).
   */
  async keep(
    conn: DuckDBConnection,
    name: string,
    columns: TableColumn[],
    chunks: DuckDBDataChunk[],
  ): Promise<{ table: string; generation: number } | undefined> {
    const table = KeptResults.tableFor(name);
    this.#generations.delete(table);
    try {
      const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} (${defs})`);
      const appender = await conn.createAppender(table, 'main', 'temp');
      for (const chunk of chunks) appender.appendDataChunk(chunk);
      appender.flushSync();
      appender.closeSync();
    } catch {
      await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(table)}`).catch(() => undefined);
      return undefined;
    }
    const generation = (this.#counter += 1);
    this.#generations.set(table, generation);
    return { table, generation };
  }

  #counter = 0;
}
