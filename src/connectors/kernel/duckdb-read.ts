/**
 * Reads a DuckDB result into a QuireTable, chunk by chunk and column by column (measured in
 * bench/sql.ts: column-wise conversion is the fastest reader and lets `.rows` stay lazy).
 * Optionally hands every chunk to `onChunk` as it passes, so the engine can keep a native copy
 * of a named result for later queries without converting it back from JS.
 */
import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { DuckDBTypeId } from './duckdb-api.js';
import type { TableColumn } from '../../outputs/types.js';
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
  const chunks: DuckDBDataChunk[] = [];
  let numRows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    chunks.push(chunk);
    numRows += chunk.rowCount;
    onChunk?.(chunk);
  }
  // The chunks are kept and converted to JS values only when the table's data is first read.
  return new QuireTable(columns, {
    numRows,
    load: () => convertChunks(columns, chunks.splice(0)),
    head: (limit) => {
      const needed: DuckDBDataChunk[] = [];
      for (let rows = 0, i = 0; rows < limit && i < chunks.length; i++) {
        needed.push(chunks[i]!);
        rows += chunks[i]!.rowCount;
      }
      return convertChunks(columns, needed).map((column) => column.slice(0, limit));
    },
  });
}

function convertChunks(columns: TableColumn[], chunks: DuckDBDataChunk[]): unknown[][] {
  const data: unknown[][] = columns.map(() => []);
  for (const chunk of chunks) appendChunk(chunk, data);
  columns.forEach((c, i) => {
    if (c.type === 'JSON') parseJsonColumn(data[i] as unknown[]);
  });
  return data;
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
    } else if (TIMESTAMPS.has(typeId)) {
      appendTimestamps(vector as unknown as RawVector<BigInt64Array>, rows, target);
    } else if (typeId === DuckDBTypeId.DATE) {
      appendDates(vector as unknown as RawVector<Int32Array>, rows, target);
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

/**
 * Timestamps and dates read straight from the vector's raw items: node-api's getItem allocates a
 * value object per item, which made a TIMESTAMP column the slowest part of a large result (about
 * 1.8 s of 2.4 s for 1M rows x 4 columns, bench/sql.ts).
 */
const TIMESTAMPS = new Set<DuckDBTypeId>([DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_TZ]);
const MS_PER_DAY = 86_400_000;

/** The public shape of node-api's fixed-width vectors: typed items plus a validity mask. */
interface RawVector<Items> {
  items: Items;
  validity: { itemValid(index: number): boolean };
}

function appendTimestamps(vector: RawVector<BigInt64Array>, rows: number, target: unknown[]): void {
  const { items, validity } = vector;
  for (let r = 0; r < rows; r++) {
    // Microseconds since the epoch; Number() is exact up to 2^53 µs (year 2255), then rounds.
    target.push(validity.itemValid(r) ? new Date(Math.floor(Number(items[r]) / 1000)) : null);
  }
}

function appendDates(vector: RawVector<Int32Array>, rows: number, target: unknown[]): void {
  const { items, validity } = vector;
  for (let r = 0; r < rows; r++) target.push(validity.itemValid(r) ? new Date(items[r]! * MS_PER_DAY) : null);
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
