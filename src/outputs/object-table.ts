/**
 * An array of plain objects shown as a table (the JS twin of a SQL result). Runs in the kernel.
 * Only the preview rows are read: a million-row array costs one pass to check it is all objects,
 * then work proportional to the preview.
 */
import { dateString, toJsonSafe } from './json-safe.js';
import type { TableColumn, TableData } from './types.js';

/** Rows shown of a table (SQL result or array of objects); the rest is counted in `rowCount`. */
export const TABLE_PREVIEW_ROWS = 200;

/** Cells are small: deep or long values in a cell are cut harder than in a JSON output. */
const CELL_LIMITS = { maxDepth: 3, maxItems: 50, maxStringLength: 2000, maxNodes: 500 };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True for a non-empty array whose every item is a plain object. */
export function isObjectRows(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every(isPlainObject);
}

type Kind = 'string' | 'number' | 'boolean' | 'date' | 'object';

function kindOf(value: unknown): Kind | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value as Kind;
  if (value instanceof Date) return 'date';
  return 'object';
}

/** The one kind all non-null values share; `object` when they are mixed, `string` when all are null. */
function inferType(rows: Record<string, unknown>[], key: string): Kind {
  let found: Kind | undefined;
  for (const row of rows) {
    const kind = kindOf(row[key]);
    if (kind === undefined || kind === found) continue;
    if (found !== undefined) return 'object';
    found = kind;
  }
  return found ?? 'string';
}

/** Bigints within the safe range become numbers (as the TableData contract says), others strings. */
function cell(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') {
    const safe = value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
    return safe ? Number(value) : value.toString();
  }
  if (value instanceof Date) return dateString(value);
  return toJsonSafe(value, CELL_LIMITS);
}

function columnNames(rows: Record<string, unknown>[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) names.add(key);
  return [...names];
}

/** A preview of an array of objects: columns are the union of the preview rows' keys, in first-seen order. */
export function objectRowsToTable(rows: Record<string, unknown>[], limit = TABLE_PREVIEW_ROWS): TableData {
  const shown = rows.slice(0, limit);
  const columns: TableColumn[] = columnNames(shown).map((name) => ({ name, type: inferType(shown, name) }));
  return {
    columns,
    rows: shown.map((row) => columns.map((c) => cell(row[c.name]))),
    rowCount: rows.length,
    truncated: rows.length > shown.length,
  };
}
