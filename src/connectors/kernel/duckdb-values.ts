/**
 * DuckDB value -> Quire JS value (the type mapping in docs/sql.md). Built on node-api's
 * per-type-id converter table so nested LIST/STRUCT/MAP values recurse through the same rules.
 */
import type {
  DuckDBType,
  DuckDBValue,
  DuckDBValueConverter,
  DuckDBIntervalValue,
  DuckDBMapValue,
} from '@duckdb/node-api';
import { createDuckDBValueConverter, DuckDBTypeId, JSDuckDBValueConverter } from './duckdb-api.js';

type Converter = DuckDBValueConverter<unknown>;
type Fn = (value: DuckDBValue, type: DuckDBType, converter: Converter) => unknown;

/** bigint -> number when it fits exactly (counts, ids), else stays a bigint (no silent rounding). */
export function bigintToNumberIfSafe(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

const fromBigint: Fn = (value) => bigintToNumberIfSafe(value as bigint);
const asString: Fn = (value) => String(value);

/** JSON (an alias of VARCHAR) comes back parsed, so a JS object loaded as JSON round-trips. */
const fromVarchar: Fn = (value, type) => {
  const text = String(value);
  if (type.alias !== 'JSON') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

const fromInterval: Fn = (value) => {
  const v = value as DuckDBIntervalValue;
  return { months: v.months, days: v.days, micros: Number(v.micros) };
};

/** A MAP becomes a plain object keyed by the keys' string form (the common `MAP(VARCHAR, …)` case). */
const fromMap: Fn = (value, type, converter) => {
  const v = value as DuckDBMapValue;
  const mapType = type as unknown as { keyType: DuckDBType; valueType: DuckDBType };
  const out: Record<string, unknown> = {};
  for (const entry of v.entries) {
    out[String(converter(entry.key, mapType.keyType, converter))] = converter(
      entry.value,
      mapType.valueType,
      converter,
    );
  }
  return out;
};

/** Type ids whose JS form Quire changes from node-api's default. */
const OVERRIDES: Partial<Record<DuckDBTypeId, Fn>> = {
  [DuckDBTypeId.BIGINT]: fromBigint,
  [DuckDBTypeId.UBIGINT]: fromBigint,
  [DuckDBTypeId.HUGEINT]: fromBigint,
  [DuckDBTypeId.UHUGEINT]: fromBigint,
  [DuckDBTypeId.BIGNUM]: fromBigint,
  [DuckDBTypeId.VARCHAR]: fromVarchar,
  [DuckDBTypeId.TIME]: asString,
  [DuckDBTypeId.TIME_NS]: asString,
  [DuckDBTypeId.TIME_TZ]: asString,
  [DuckDBTypeId.INTERVAL]: fromInterval,
  [DuckDBTypeId.MAP]: fromMap,
  [DuckDBTypeId.BIT]: asString,
};

// node-api's converter recurses through the `converter` it is given, so nested values use ours.
const defaults: Fn = (value, type, converter) =>
  JSDuckDBValueConverter(value, type, converter as unknown as Parameters<typeof JSDuckDBValueConverter>[2]);

const byTypeId = new Proxy({} as Record<number, Fn>, {
  get: (_target, key) => OVERRIDES[Number(key) as DuckDBTypeId] ?? defaults,
});

/** The converter used for every result column. */
export const quireValueConverter: Converter = createDuckDBValueConverter(
  byTypeId as unknown as Parameters<typeof createDuckDBValueConverter>[0],
) as Converter;
