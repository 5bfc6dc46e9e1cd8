/**
 * Makes notebook values visible to a DuckDB query under their own names, so the user's SQL text
 * runs unchanged: a table this engine produced and still holds becomes a view over its kept temp
 * table (no copy); any other table value or array of plain objects is loaded into a temp table;
 * anything else is skipped (the name may just be a column that happens to match a variable).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isRowArray } from './js-columns.js';
import { loadRows } from './duckdb-load.js';
import { quoteIdent } from './sql-quote.js';
import { isTableValue, QuireTable } from './table.js';

export interface Registration {
  name: string;
  kind: 'VIEW' | 'TABLE';
}

/** Answers whether a kept temp table still holds the data of `table` (same engine, same generation). */
export type KeptTable = (table: QuireTable) => string | undefined;

export async function registerTables(
  conn: DuckDBConnection,
  tables: Record<string, unknown>,
  kept: KeptTable,
): Promise<Registration[]> {
  const done: Registration[] = [];
  for (const [name, value] of Object.entries(tables)) {
    const registration = await registerOne(conn, name, value, kept);
    if (registration) done.push(registration);
  }
  return done;
}

async function registerOne(
  conn: DuckDBConnection,
  name: string,
  value: unknown,
  kept: KeptTable,
): Promise<Registration | undefined> {
  const source = value instanceof QuireTable ? kept(value) : undefined;
  if (source) {
    await conn.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS SELECT * FROM ${quoteIdent(source)}`);
    return { name, kind: 'VIEW' };
  }
  const rows = isTableValue(value) ? value.rows : value;
  if (!isRowArray(rows)) return undefined;
  await loadRows(conn, name, rows);
  return { name, kind: 'TABLE' };
}

/** Drops what {@link registerTables} created, so the names do not linger between cells. */
export async function unregisterTables(conn: DuckDBConnection, registrations: Registration[]): Promise<void> {
  for (const { name, kind } of registrations) {
    await conn.run(`DROP ${kind} IF EXISTS temp.main.${quoteIdent(name)}`);
  }
}
