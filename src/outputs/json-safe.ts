/**
 * Turns any JS value into a bounded, JSON-serializable copy for display. Owns the conventions for
 * values JSON cannot hold (bigint, Date, Map, cycles…) and the visible markers where it cut.
 * Runs in the kernel: no imports beyond the marker guards and the protocol's bigint rule.
 */
import { bigintToJson } from '../protocol/json.js';
import { isHtmlValue, isMarkdownValue, isTableValue, isVegaLiteValue } from './values.js';

export interface JsonSafeLimits {
  /** nesting depth below which containers are replaced by a summary like `[Object]` */
  maxDepth: number;
  /** items kept per array, Set or Map and keys kept per object */
  maxItems: number;
  /** characters kept per string */
  maxStringLength: number;
  /** values visited in the whole tree; past it, everything left is a `…` marker */
  maxNodes: number;
}

export const DEFAULT_JSON_LIMITS: JsonSafeLimits = {
  maxDepth: 8,
  maxItems: 1000,
  maxStringLength: 10_000,
  maxNodes: 20_000,
};

/** The marker key an object gets when some of its keys were dropped. */
export const MORE_KEYS = '…';

/** Any callable: all we read of it is its name and whether it is a class. */
export type AnyFunction = (...args: never[]) => unknown;

interface Walk {
  limits: JsonSafeLimits;
  ancestors: Set<object>;
  nodes: number;
}

/** `[Function name]`, `[Function (anonymous)]` or `[class Name]` — how functions show everywhere. */
export function describeFunction(fn: AnyFunction): string {
  const name = fn.name || '(anonymous)';
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(fn));
  return isClass ? `[class ${name}]` : `[Function ${name}]`;
}

/** `Uint8Array(5 bytes) 68 65 6c 6c 6f` — the first 16 bytes of binary data in hex. */
export function describeBinary(view: ArrayBufferView | ArrayBuffer): string {
  const bytes =
    view instanceof ArrayBuffer
      ? new Uint8Array(view)
      : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const head = Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const more = bytes.length > 16 ? ' …' : '';
  return `${view.constructor.name}(${bytes.length} bytes)${head ? ' ' + head : ''}${more}`;
}

/** Dates as ISO strings; an invalid Date cannot be, so it says so. */
export function dateString(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString();
}

function cutString(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

function primitive(value: unknown, walk: Walk): unknown {
  switch (typeof value) {
    case 'string':
      return cutString(value, walk.limits.maxStringLength);
    case 'number':
      // JSON would turn these into null and lose them silently
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return bigintToJson(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return describeFunction(value as AnyFunction);
    default:
      return value; // boolean, null, undefined
  }
}

function convertList(items: Iterable<unknown>, size: number, depth: number, walk: Walk): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    if (out.length >= walk.limits.maxItems) break;
    const safe = convert(item, depth + 1, walk);
    out.push(safe === undefined ? null : safe);
  }
  if (size > out.length) out.push(`… ${size - out.length} more items`);
  return out;
}

function convertRecord(obj: object, depth: number, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(obj);
  const kept = keys.slice(0, walk.limits.maxItems);
  for (const key of kept) {
    const safe = convert((obj as Record<string, unknown>)[key], depth + 1, walk);
    if (safe !== undefined) out[key] = safe;
  }
  if (keys.length > kept.length) out[MORE_KEYS] = `${keys.length - kept.length} more keys`;
  return out;
}

/** A table value as rows of plain objects, taken through its bounded preview (never all rows). */
function tableRows(value: Parameters<typeof isTableValue>[0], depth: number, walk: Walk): unknown[] {
  if (!isTableValue(value)) return [];
  const preview = value.preview(walk.limits.maxItems);
  const rows = preview.rows.map((row) => Object.fromEntries(preview.columns.map((c, i) => [c.name, row[i]])));
  const out = convertList(rows, rows.length, depth, walk);
  if (preview.rowCount > rows.length) out.push(`… ${preview.rowCount - rows.length} more rows`);
  return out;
}

function summary(value: object): string {
  if (Array.isArray(value)) return `[Array(${value.length})]`;
  const name = value.constructor?.name;
  return name && name !== 'Object' ? `[${name}]` : '[Object]';
}

/** Values with a fixed display form regardless of depth; undefined when `value` is an ordinary container. */
function special(value: object, depth: number, walk: Walk): unknown {
  if (value instanceof Date) return dateString(value);
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return describeBinary(value);
  if (isHtmlValue(value)) return cutString(value.html, walk.limits.maxStringLength);
  if (isMarkdownValue(value)) return cutString(value.markdown, walk.limits.maxStringLength);
  if (isVegaLiteValue(value)) return convert(value.spec, depth, walk);
  if (isTableValue(value)) return tableRows(value, depth, walk);
  if (value instanceof Promise) return '[Promise]';
  if (value instanceof WeakMap || value instanceof WeakSet) return `[${value.constructor.name}]`;
  return undefined;
}

function container(value: object, depth: number, walk: Walk): unknown {
  if (value instanceof Map) return convertList(value.entries(), value.size, depth, walk);
  if (value instanceof Set) return convertList(value.values(), value.size, depth, walk);
  if (Array.isArray(value)) return convertList(value, value.length, depth, walk);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return convert(toJSON.call(value), depth, walk);
  return convertRecord(value, depth, walk);
}

function convert(value: unknown, depth: number, walk: Walk): unknown {
  if (++walk.nodes > walk.limits.maxNodes) return '…';
  if (typeof value !== 'object' || value === null) return primitive(value, walk);
  const fixed = special(value, depth, walk);
  if (fixed !== undefined) return fixed;
  if (walk.ancestors.has(value)) return '[Circular]';
  if (depth >= walk.limits.maxDepth) return summary(value);
  walk.ancestors.add(value);
  try {
    return container(value, depth, walk);
  } finally {
    walk.ancestors.delete(value);
  }
}

/**
 * A JSON-safe copy of `value`: bigint -> number when safe else its decimal string (src/protocol/json.ts), Date -> ISO string, NaN/±Infinity -> string,
 * Map -> `[key, value]` pairs, Set -> array, cycles -> `"[Circular]"`, functions -> `"[Function name]"`,
 * binary -> a short hex summary. Depth, items, string length and total size are bounded; where
 * something was cut a visible marker says so. `undefined` stays undefined at the top (and is
 * dropped from objects, null in arrays, as JSON does).
 */
export function toJsonSafe(value: unknown, limits: Partial<JsonSafeLimits> = {}): unknown {
  const walk: Walk = { limits: { ...DEFAULT_JSON_LIMITS, ...limits }, ancestors: new Set(), nodes: 0 };
  return convert(value, 0, walk);
}
