/**
 * Reads a DuckDB result into a QuireTable, chunk by chunk and column by column (measured in
 * bench/sql.ts: column-wise conversion is the fastest reader and lets `.rows` stay lazy).
 * Optionally hands every chunk to `onChunk` as it passes, so the engine can keep a native copy
 * of a named result for later queries without converting it back from JS.
 */
import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { DuckDBTypeId } from './duckdb-api.js';
import type { TableColumn } from '../outputs/types.js';
import { QuireTable } from './table.js';
import { bigintToNumberIfSafe, quireValueConverter } from './duckdb-values.js';

/** `{name, type}` for each result column, with DuckDB's type spelling. */
export function resultColumns(result: DuckDBResult): TableColumn[] {
  const names = result.columnNames();
  return names.map((name, i) => {
    const type = result.columnType(i);
    return { name, type: type.alias ?? type.toString() };
  });
}

export async function readResult(
  result: DuckDBResult,
  onChunk?: (chunk: DuckDBDataChunk) => void,
): Promise<QuireTable> {
  const columns = resultColumns(result);
  const data: unknown[][] = columns.map(() => []);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    appendChunk(chunk, data);
    onChunk?.(chunk);
  }
  columns.forEach((c, i) => {
    if (c.type === 'JSON') parseJsonColumn(data[i] as unknown[]);
  });
  return new QuireTable(columns, data);
}

/** Types whose vector items already are the Quire JS value: read directly, skipping the converter. */
const DIRECT = new Set<DuckDBTypeId>([
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.BOOLEAN,
  DuckDBTypeId.VARCHAR,
]);
const BIGINTS = new Set<DuckDBTypeId>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT]);

function appendChunk(chunk: DuckDBDataChunk, data: unknown[][]): void {
  const rows = chunk.rowCount;
  for (let c = 0; c < data.length; c++) {
    const target = data[c] as unknown[];
    const vector = chunk.getColumnVector(c);
    const typeId = vector.type.typeId;
    if (DIRECT.has(typeId)) {
      for (let r = 0; r < rows; r++) target.push(vector.getItem(r));
    } else if (BIGINTS.has(typeId)) {
      for (let r = 0; r < rows; r++) {
        const v = vector.getItem(r) as bigint | null;
        target.push(v === null ? null : bigintToNumberIfSafe(v));
      }
    } else {
      const values = chunk.convertColumnValues(c, quireValueConverter);
      for (let r = 0; r < values.length; r++) target.push(values[r]);
    }
  }
}

/** A chunk's vectors do not carry the JSON alias, so JSON columns are parsed here, in place. */
function parseJsonColumn(values: unknown[]): void {
  for (let r = 0; r < values.length; r++) {
    const text = values[r];
    if (typeof text !== 'string') continue;
    try {
      values[r] = JSON.parse(text) as unknown;
    } catch {
      // not valid JSON after all: keep the text
    }
  }
}
