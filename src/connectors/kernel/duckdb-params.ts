/**
 * JS value -> DuckDB value for a bound parameter (`${expr}` in a SQL cell becomes `$n`, never text).
 * Integers bind as BIGINT-sized integers, other numbers as DOUBLE, Dates as TIMESTAMP (UTC),
 * arrays as LIST; plain objects bind as their JSON text, which DuckDB casts where JSON is expected.
 */
import type { DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { blobValue, listValue, timestampValue } from './duckdb-api.js';
import { parameterIndex } from './sql-params.js';
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

/**
 * Binds each parameter a prepared statement declares (`$1`, or `$p2` for a statement that uses a
 * gap of the cell's numbering, see sql-params.ts) to the cell's value for it.
 */
export function bindParameters(prepared: DuckDBPreparedStatement, parameters: readonly unknown[]): void {
  for (let i = 1; i <= prepared.parameterCount; i++) {
    const name = prepared.parameterName(i);
    const index = parameterIndex(name);
    if (index === undefined || index < 1 || index > parameters.length)
      throw new Error(
        `Binder Error: parameter $${index ?? name} has no value (the cell has ${parameters.length})`,
      );
    prepared.bindValue(i, toDuckDbParameter(parameters[index - 1]));
  }
}
