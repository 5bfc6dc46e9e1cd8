/**
 * Pages of a table value for the editor (the browser never receives a whole large result). A named
 * SQL result that DuckDB still keeps is paged there (`select … order by … limit … offset …`: the
 * first page costs the same for ten thousand rows as for ten million); any other table value is
 * paged in JS, converting only the rows of the page (plus the sort column when sorting).
 */
import type { TableColumn } from '../../outputs/types.js';
import type { TablePage, TablePageResult } from '../protocol.js';
import { send } from './channel.js';
import type { Scope } from './scope.js';
import { embeddedEngine } from './sql-engine.js';

interface Origin {
  engine: object;
  table: string;
  generation: number;
}

/** The newest generation of each kept temp table (a re-run replaces the table under older values). */
const latest = new Map<string, number>();

/** Called by SQL cells: `table` is now the value its kept temp table holds. */
export function noteKept(table: unknown): void {
  const origin = (table as { origin?: Origin } | null)?.origin;
  if (origin) latest.set(origin.table, origin.generation);
}

type Page = Omit<TablePageResult, 'type' | 'requestId' | 'ok' | 'error'>;

function pageError(message: string): Error {
  const error = new Error(message);
  error.name = 'TablePageError';
  return error;
}

export async function answerTablePage(command: TablePage, scope: Scope): Promise<void> {
  const base = { type: 'tablePage' as const, requestId: command.requestId };
  try {
    const page = await tablePage(command, scope);
    send({ ...base, ok: true, ...page });
  } catch (error) {
    send({ ...base, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}

async function tablePage(command: TablePage, scope: Scope): Promise<Page> {
  const value =
    command.name !== undefined
      ? scope.get(command.name)
      : command.cellId !== undefined
        ? scope.shownTable(command.cellId)
        : undefined;
  const what = command.name !== undefined ? `"${command.name}"` : `cell ${command.cellId ?? '?'}`;
  if (value === undefined || value === null) throw pageError(`no table value for ${what} in this kernel`);
  const { isTableValue, QuireTable } = await import('../../connectors/kernel/table.js');
  if (value instanceof QuireTable) {
    const kept = await keptTable(value.origin);
    if (kept) return duckDbPage(command, kept, value.columns, value.numRows);
    return quireTablePage(command, value);
  }
  if (isTableValue(value)) throw pageError(`${what} is a table from another module; it cannot be paged`);
  if (Array.isArray(value)) return arrayPage(command, value);
  throw pageError(`${what} is not a table`);
}

async function keptTable(origin: Origin | undefined): Promise<string | undefined> {
  if (!origin || latest.get(origin.table) !== origin.generation) return undefined;
  const engine = await embeddedEngine();
  return origin.engine === engine ? origin.table : undefined;
}

function checkSort(command: TablePage, columns: readonly TableColumn[]): number | undefined {
  if (!command.sort) return undefined;
  const name = command.sort.column;
  const index = columns.findIndex((c) => c.name === name);
  if (index === -1) throw pageError(`the table has no column ${JSON.stringify(name)}`);
  return index;
}

async function duckDbPage(
  command: TablePage,
  kept: string,
  columns: TableColumn[],
  rowCount: number,
): Promise<Page> {
  checkSort(command, columns);
  const { quoteIdent } = await import('../../connectors/kernel/sql-quote.js');
  // rowid breaks ties, so that pages of a sort on a column with repeated values neither overlap nor skip.
  const order = command.sort
    ? ` ORDER BY ${quoteIdent(command.sort.column)} ${command.sort.descending ? 'DESC' : 'ASC'} NULLS LAST, rowid`
    : '';
  // offset and limit are validated integers: inlined, so DuckDB plans a plain limit.
  const sql = `SELECT * FROM ${quoteIdent(kept)}${order} LIMIT ${command.limit} OFFSET ${command.offset}`;
  const engine = await embeddedEngine();
  const table = await engine.query(sql, []);
  return {
    columns: columns.map((c) => ({ ...c })),
    rows: table.preview(command.limit).rows,
    rowCount,
    offset: command.offset,
    source: 'duckdb',
  };
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint'))
    return a < b ? -1 : a > b ? 1 : 0;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Row indices sorted by `values` (stable; nulls last in both directions). */
function sortOrder(values: readonly unknown[], descending: boolean): number[] {
  const order = Array.from(values, (_, i) => i);
  const sign = descending ? -1 : 1;
  return order.sort((i, j) => {
    const a = values[i];
    const b = values[j];
    const nullA = a === null || a === undefined;
    const nullB = b === null || b === undefined;
    if (nullA || nullB) return nullA === nullB ? i - j : nullA ? 1 : -1;
    return sign * compare(a, b) || i - j;
  });
}

function quireTablePage(
  command: TablePage,
  table: {
    columns: TableColumn[];
    numRows: number;
    columnData: readonly unknown[][];
    page(o: number, l: number, order?: readonly number[]): unknown[][];
  },
): Page {
  const sortIndex = checkSort(command, table.columns);
  const order =
    sortIndex === undefined
      ? undefined
      : sortOrder(table.columnData[sortIndex] ?? [], command.sort?.descending ?? false);
  return {
    columns: table.columns.map((c) => ({ ...c })),
    rows: table.page(command.offset, command.limit, order),
    rowCount: table.numRows,
    offset: command.offset,
    source: 'js',
  };
}

async function arrayPage(command: TablePage, array: unknown[]): Promise<Page> {
  const { isObjectRows, objectRowsToTable, TABLE_PREVIEW_ROWS } =
    await import('../../outputs/object-table.js');
  // An array of objects as the output showed it; any other array as one column `value`.
  const objects = isObjectRows(array);
  const rows: Record<string, unknown>[] = objects ? array : array.map((value) => ({ value }));
  // The columns are the preview's (the first rows' keys), so that every page has the same ones.
  const columns = objectRowsToTable(rows, TABLE_PREVIEW_ROWS).columns;
  const sortIndex = checkSort(command, columns);
  let picked: Record<string, unknown>[];
  if (sortIndex === undefined) picked = rows.slice(command.offset, command.offset + command.limit);
  else {
    const name = (columns[sortIndex] as TableColumn).name;
    const order = sortOrder(
      rows.map((r) => r[name]),
      command.sort?.descending ?? false,
    );
    picked = order.slice(command.offset, command.offset + command.limit).map((i) => rows[i]!);
  }
  const aligned = picked.map((row) => Object.fromEntries(columns.map((c) => [c.name, row[c.name]])));
  return {
    columns,
    rows: objectRowsToTable(aligned, command.limit).rows,
    rowCount: rows.length,
    offset: command.offset,
    source: 'js',
  };
}
