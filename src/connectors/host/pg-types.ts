/**
 * PostgreSQL type OIDs -> type names and JS parsers, with the same JS mapping as DuckDB results
 * (docs/sql.md). Parsers are given per pool (`types` option) rather than through pg's global
 * registry, so nothing else in the process that uses `pg` changes behaviour.
 */
import pg from 'pg';

/** Names for the common built-in OIDs; others show as `oid:<n>`. */
export const PG_TYPE_NAMES: Record<number, string> = {
  16: 'boolean',
  17: 'bytea',
  18: 'char',
  19: 'name',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  25: 'text',
  26: 'oid',
  114: 'json',
  142: 'xml',
  700: 'real',
  701: 'double precision',
  790: 'money',
  1000: 'boolean[]',
  1005: 'smallint[]',
  1007: 'integer[]',
  1009: 'text[]',
  1016: 'bigint[]',
  1021: 'real[]',
  1022: 'double precision[]',
  1042: 'character',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1266: 'timetz',
  1700: 'numeric',
  2950: 'uuid',
  3802: 'jsonb',
};

export function pgTypeName(oid: number): string {
  return PG_TYPE_NAMES[oid] ?? `oid:${oid}`;
}

const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114 } as const;

/** int8 -> number when exact, else bigint (same rule as DuckDB BIGINT). */
export function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/** A date at UTC midnight (pg's default would be local midnight, shifting the day in some zones). */
export function parseDate(text: string): Date | string {
  const match = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return text; // 'infinity', BC dates: keep PostgreSQL's spelling
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

/** A timestamp without time zone read as UTC, like DuckDB's TIMESTAMP. */
export function parseTimestamp(text: string): Date | string {
  const match = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(text);
  if (!match) return text;
  const date = new Date(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(date.getTime()) ? text : date;
}

const OVERRIDES: Record<number, (text: string) => unknown> = {
  [OID.int8]: parseInt8,
  [OID.numeric]: (text) => Number(text),
  [OID.date]: parseDate,
  [OID.timestamp]: parseTimestamp,
};

/** The `types` option for a pg Pool: Quire's parsers first, pg's defaults for the rest. */
export const quirePgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (text: string) => unknown {
    if ((format ?? 'text') === 'text' && OVERRIDES[oid]) return OVERRIDES[oid];
    return pg.types.getTypeParser(oid, format ?? 'text') as (text: string) => unknown;
  },
};
