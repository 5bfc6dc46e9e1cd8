/**
 * Loads a JS array of plain objects into a DuckDB temp table through the appender, one
 * DataChunk of 2048 rows at a time (measured against a scratch JSON file + read_json in
 * bench/sql.ts: the appender avoids serializing to text and re-parsing).
 */
import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  HUGEINT,
  TIMESTAMP,
  VARCHAR,
  timestampValue,
} from './duckdb-api.js';
import { inferJsColumns, type JsColumn, type JsColumnKind } from './js-columns.js';
import { quoteIdent } from './sql-quote.js';

const CHUNK_ROWS = 2048;

const VECTOR_TYPE: Record<JsColumnKind, DuckDBType> = {
  BIGINT,
  HUGEINT,
  DOUBLE,
  VARCHAR,
  BOOLEAN,
  TIMESTAMP,
  // JSON is VARCHAR underneath: the appender takes the text.
  JSON: VARCHAR,
};

/** Creates (or replaces) temp table `name` holding `rows`. */
export async function loadRows(
  conn: DuckDBConnection,
  name: string,
  rows: readonly unknown[],
): Promise<void> {
  const columns = inferJsColumns(rows);
  if (columns.length === 0)
    throw new Error(`${name}: an array of objects with no keys cannot be queried as a table`);
  const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.kind}`).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} (${defs})`);
  const appender = await conn.createAppender(name, 'main', 'temp');
  try {
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      appender.appendDataChunk(chunkOf(columns, rows.slice(start, start + CHUNK_ROWS)));
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function chunkOf(columns: JsColumn[], rows: readonly unknown[]): DuckDBDataChunk {
  const chunk = DuckDBDataChunk.create(
    columns.map((c) => VECTOR_TYPE[c.kind]),
    rows.length,
  );
  chunk.setColumns(columns.map((c) => rows.map((row) => toDuckValue(c.kind, field(row, c.name)))));
  return chunk;
}

function field(row: unknown, name: string): unknown {
  return typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[name] : undefined;
}

function toDuckValue(kind: JsColumnKind, value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'BIGINT':
    case 'HUGEINT':
      return BigInt(value as number | bigint);
    case 'DOUBLE':
      return Number(value);
    case 'BOOLEAN':
      return value as boolean;
    case 'TIMESTAMP':
      return timestampValue(BigInt((value as Date).getTime()) * 1000n);
    case 'VARCHAR':
      return String(value);
    case 'JSON':
      return jsonText(value);
  }
}

function jsonText(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
}
