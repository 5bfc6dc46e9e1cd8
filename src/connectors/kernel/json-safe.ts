/**
 * Converts table cell values into JSON-safe ones for previews (TableData): the preview crosses the
 * kernel protocol, lands in run records and is sent to the browser, so it must survive
 * `JSON.stringify` without losing information silently. Pure.
 */
import { bigintToJson } from '../../protocol/json.js';

/** A JSON-safe copy of `value`: Dates -> ISO strings, bigint -> number when safe else a decimal
 * string, bytes -> base64, non-finite numbers -> their names, nested values converted. */
export function toJsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return bigintToJson(value);
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      return objectToJson(value);
    default:
      return String(value);
  }
}

function objectToJson(value: object): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonSafe);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = toJsonSafe(item);
  return out;
}
