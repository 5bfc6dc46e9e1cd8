/**
 * JS value -> DuckDB value for a bound parameter (`${expr}` in a SQL cell becomes `$n`, never text).
 * Integers bind as BIGINT-sized integers, other numbers as DOUBLE, Dates as TIMESTAMP (UTC),
 * arrays as LIST; plain objects bind as their JSON text, which DuckDB casts where JSON is expected.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { blobValue, listValue, timestampValue } from './duckdb-api.js';
import { isTableValue } from './table.js';

export function toDuckDbParameter(value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
    case 'number':
      return value;
    case 'object':
      return objectParameter(value);
    default:
      throw new Error(`cannot bind a ${typeof value} as a SQL parameter`);
  }
}

function objectParameter(value: object): DuckDBValue {
  if (value instanceof Date) return timestampValue(BigInt(value.getTime()) * 1000n);
  if (value instanceof Uint8Array) return blobValue(value);
  if (Array.isArray(value)) return listValue(value.map(toDuckDbParameter));
  if (isTableValue(value)) throw new Error('a table cannot be bound as a parameter; name it in FROM instead');
  return JSON.stringify(value);
}
