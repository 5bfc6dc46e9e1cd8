/**
 * The MIME types of cell outputs and the shapes of the structured ones (tables, streams): what a
 * kernel produces, a run record stores and the browser renders. Pure data and types, no imports,
 * so that every layer and the browser read the one list.
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
