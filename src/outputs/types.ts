/**
 * Output values as they leave a kernel and enter records, reports and (later) the editor.
 * An output is one MIME-typed representation; a cell produces a list of them in order.
 */

import type { TableColumn, TableData } from '../protocol/outputs.js';

export { MIME, type StreamData, type TableColumn, type TableData } from '../protocol/outputs.js';

export interface Output {
  mime: string;
  data: unknown;
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
