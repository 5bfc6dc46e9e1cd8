/**
 * Output values as they leave a kernel and enter records, reports and (later) the editor.
 * An output is one MIME-typed representation; a cell produces a list of them in order.
 */

export const MIME = {
  text: 'text/plain',
  html: 'text/html',
  markdown: 'text/markdown',
  json: 'application/json',
  /** a table preview: {@link TableData} */
  table: 'application/vnd.quire.table+json',
  /** a Vega-Lite spec (object) */
  vegalite: 'application/vnd.vegalite.v5+json',
  svg: 'image/svg+xml',
  /** a captured console/stdout/stderr stream: {@link StreamData} */
  stream: 'application/vnd.quire.stream+json',
  /** an error: {@link ErrorData} */
  error: 'application/vnd.quire.error+json',
} as const;

export interface Output {
  mime: string;
  data: unknown;
}

export interface TableColumn {
  name: string;
  /** the SQL type name (DuckDB/PostgreSQL spelling) or, for JS arrays, `string|number|boolean|date|object` */
  type: string;
}

/** A table preview: the first rows of a result, never the whole of a big one. */
export interface TableData {
  columns: TableColumn[];
  /** rows as arrays, in `columns` order; values JSON-safe (dates ISO strings, bigints as strings if unsafe) */
  rows: unknown[][];
  /** the total row count of the value the preview was taken from */
  rowCount: number;
  /** true when `rows` holds fewer rows than `rowCount` */
  truncated: boolean;
}

export interface StreamData {
  name: 'stdout' | 'stderr';
  text: string;
}

export interface ErrorData {
  name: string;
  message: string;
  /** 1-based line relative to the cell's source, when known */
  line?: number;
  column?: number;
  stack?: string;
}

/**
 * The marker on a table value (a SQL result) so that display and the SQL bridge recognise it
 * without importing the class. `Symbol.for` so that it is the same symbol in every module.
 */
export const TABLE_VALUE = Symbol.for('quire.table');

/** The JS value of a SQL result (DESIGN §3): `.rows` plain objects, `.columns` `{name, type}[]`. */
export interface TableValue {
  readonly [TABLE_VALUE]: true;
  readonly columns: TableColumn[];
  /** every row as a plain object (materialized on first access) */
  readonly rows: Record<string, unknown>[];
  readonly numRows: number;
  /** the first `limit` rows as a JSON-safe preview */
  preview(limit: number): TableData;
}
