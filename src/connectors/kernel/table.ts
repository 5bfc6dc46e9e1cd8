/**
 * QuireTable: the JS value of a SQL result (DESIGN §3). It stores columns (one array per column),
 * because that is what DuckDB hands over cheaply and what charts and aggregations read; `.rows`
 * (plain objects) is built on first access and cached, so a cell that only previews or re-queries
 * a million-row result never pays for a million objects.
 *
 * It owns no DuckDB handle: `origin` only names the temp table an engine kept for it, so that
 * the engine can reuse it in a later query without copying (see duckdb-tables.ts).
 */
import { TABLE_VALUE, type TableColumn, type TableData, type TableValue } from '../../outputs/types.js';
import { toJsonSafe } from './json-safe.js';

/** Where a table's data also lives inside an engine (set by the engine that produced it). */
export interface TableOrigin {
  /** the engine instance (compared by identity) */
  engine: object;
  /** the temp table holding the same rows */
  table: string;
  /** the engine's generation of that temp table when this value was produced */
  generation: number;
}

/**
 * Columns that are converted to JS values only when first read. A large SQL result arrives as
 * DuckDB chunks in ~0.1 s per million rows, while turning them into JS values (a Date per
 * timestamp, a string per VARCHAR) costs seconds; a result that is only previewed, or read again by
 * a later SQL cell, never needs that.
 */
export interface LazyColumns {
  numRows: number;
  /** every column, in full (called once) */
  load(): unknown[][];
  /** the first `limit` rows of every column (no full conversion) */
  head(limit: number): unknown[][];
}

export class QuireTable implements TableValue {
  readonly [TABLE_VALUE] = true as const;
  readonly columns: TableColumn[];
  readonly numRows: number;
  /** set by the engine that produced the value; absent for tables built from JS */
  origin?: TableOrigin;
  #rows?: Record<string, unknown>[];
  #data?: unknown[][];
  readonly #lazy?: LazyColumns;

  constructor(columns: TableColumn[], columnData: unknown[][] | LazyColumns) {
    this.columns = columns;
    if (Array.isArray(columnData)) {
      if (columns.length !== columnData.length) {
        throw new Error(`QuireTable: ${columns.length} columns but ${columnData.length} column arrays`);
      }
      this.#data = columnData;
      this.numRows = columnData[0]?.length ?? 0;
    } else {
      this.#lazy = columnData;
      this.numRows = columnData.numRows;
    }
  }

  /** one array per column, in `columns` order (converted on first access); do not mutate */
  get columnData(): readonly unknown[][] {
    this.#data ??= this.#lazy!.load();
    return this.#data;
  }

  /** Every row as a plain object, built once. Duplicate column names: the last one wins. */
  get rows(): Record<string, unknown>[] {
    this.#rows ??= this.#materializeRows();
    return this.#rows;
  }

  /** The values of one column by name (no row objects built). */
  column(name: string): readonly unknown[] | undefined {
    const index = this.columns.findIndex((c) => c.name === name);
    return index === -1 ? undefined : this.columnData[index];
  }

  preview(limit: number): TableData {
    const count = Math.max(0, Math.min(limit, this.numRows));
    const data = this.#data ?? this.#lazy!.head(count);
    const rows: unknown[][] = [];
    for (let r = 0; r < count; r++) rows.push(data.map((col) => toJsonSafe(col[r])));
    return {
      columns: this.columns.map((c) => ({ ...c })),
      rows,
      rowCount: this.numRows,
      truncated: count < this.numRows,
    };
  }

  /**
   * JSON-safe rows `offset…offset+limit`, or the rows at `order[offset…offset+limit]` (a row
   * permutation, e.g. a sort). Unsorted pages near the start convert only the chunks they reach.
   */
  page(offset: number, limit: number, order?: readonly number[]): unknown[][] {
    const end = Math.min(offset + limit, this.numRows);
    if (offset >= end) return [];
    const data = order ? this.columnData : (this.#data ?? this.#lazy!.head(end));
    const rows: unknown[][] = [];
    for (let i = offset; i < end; i++) {
      const r = order ? (order[i] as number) : i;
      rows.push(data.map((col) => toJsonSafe(col[r])));
    }
    return rows;
  }

  /** Keeps `console.log(table)` and JSON output short and useful. */
  toJSON(): TableData {
    return this.preview(20);
  }

  #materializeRows(): Record<string, unknown>[] {
    const names = this.columns.map((c) => c.name);
    const rows = new Array<Record<string, unknown>>(this.numRows);
    for (let r = 0; r < this.numRows; r++) {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < names.length; c++) row[names[c] as string] = (this.columnData[c] as unknown[])[r];
      rows[r] = row;
    }
    return rows;
  }
}

/** A table from column arrays (all the same length). */
export function tableFromColumns(columns: TableColumn[], columnArrays: unknown[][]): QuireTable {
  const lengths = new Set(columnArrays.map((a) => a.length));
  if (lengths.size > 1)
    throw new Error(`tableFromColumns: column arrays differ in length (${[...lengths].join(', ')})`);
  return new QuireTable(columns, columnArrays);
}

/** A table from row arrays (each in `columns` order). */
export function tableFromRows(
  columns: TableColumn[],
  rowArrays: readonly (readonly unknown[])[],
): QuireTable {
  const data = columns.map(() => new Array<unknown>(rowArrays.length));
  rowArrays.forEach((row, r) => {
    for (let c = 0; c < columns.length; c++) (data[c] as unknown[])[r] = row[c] ?? null;
  });
  return new QuireTable(columns, data);
}

/** True for any table value (from this module or another copy of it), by the shared symbol. */
export function isTableValue(value: unknown): value is TableValue {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TABLE_VALUE] === true
  );
}
