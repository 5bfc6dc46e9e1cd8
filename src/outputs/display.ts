/**
 * What a value looks like as outputs: the kernel calls `toOutputs` for a cell's last expression and
 * for each `display(v)`. Runs in the kernel, so it stays light; everything here is bounded so that a
 * huge value cannot produce a huge message. Sanitizing, redaction and byte caps are the host's job
 * (prepare.ts) — the kernel is not trusted with them.
 */
import { type AnyFunction, describeBinary, describeFunction, dateString, toJsonSafe } from './json-safe.js';
import { TABLE_PREVIEW_ROWS, isObjectRows, objectRowsToTable } from './object-table.js';
import { MIME, type ErrorData, type Output } from './types.js';
import { isHtmlValue, isMarkdownValue, isTableValue, isVegaLiteValue } from './values.js';

/** Chart data may be large (one row per point), so specs get roomier limits than a JSON view. */
const SPEC_LIMITS = { maxDepth: 32, maxItems: 10_000, maxNodes: 500_000 };

function text(data: string): Output {
  return { mime: MIME.text, data };
}

/** A thrown value as ErrorData; `line` when the kernel has already mapped it onto the cell. */
export function errorData(error: Error): ErrorData {
  const data: ErrorData = { name: error.name || 'Error', message: error.message };
  const { line, column } = error as { line?: unknown; column?: unknown };
  if (typeof line === 'number') data.line = line;
  if (typeof column === 'number') data.column = column;
  if (typeof error.stack === 'string') data.stack = error.stack;
  return data;
}

function primitiveOutput(value: unknown): Output | undefined {
  switch (typeof value) {
    case 'string':
      return text(value);
    case 'number':
      return text(Object.is(value, -0) ? '-0' : String(value));
    case 'bigint':
      return text(`${value}n`); // as Node prints it, so it is not mistaken for a number
    case 'boolean':
    case 'symbol':
      return text(value.toString());
    case 'function':
      return text(describeFunction(value as AnyFunction));
    default:
      return value === null ? text('null') : undefined;
  }
}

function richOutput(value: object): Output | undefined {
  if (isHtmlValue(value)) return { mime: MIME.html, data: value.html };
  if (isMarkdownValue(value)) return { mime: MIME.markdown, data: value.markdown };
  if (isVegaLiteValue(value)) return { mime: MIME.vegalite, data: toJsonSafe(value.spec, SPEC_LIMITS) };
  if (isTableValue(value)) return { mime: MIME.table, data: value.preview(TABLE_PREVIEW_ROWS) };
  if (isObjectRows(value)) return { mime: MIME.table, data: objectRowsToTable(value) };
  if (value instanceof Error) return { mime: MIME.error, data: errorData(value) };
  if (value instanceof Date) return text(dateString(value));
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return text(describeBinary(value));
  return undefined;
}

/**
 * The outputs for one displayed value: `undefined` shows nothing; primitives, dates, functions and
 * binary data are text; html/md/vegalite values and errors keep their MIME type; SQL results and
 * arrays of plain objects are table previews (first {@link TABLE_PREVIEW_ROWS} rows); any other
 * object is a bounded JSON view.
 */
export function toOutputs(value: unknown): Output[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null) {
    const output = primitiveOutput(value);
    return output ? [output] : [];
  }
  const rich = richOutput(value);
  return [rich ?? { mime: MIME.json, data: toJsonSafe(value) }];
}
