/** Test helpers: a small in-memory TableValue (the real one lives in src/connectors) and a test redactor. */
import {
  TABLE_VALUE,
  type TableColumn,
  type TableData,
  type TableValue,
} from '../../../src/outputs/types.js';
import type { Redactor } from '../../../src/outputs/prepare.js';

export function fakeTable(columns: TableColumn[], rows: Record<string, unknown>[]): TableValue {
  return {
    [TABLE_VALUE]: true,
    columns,
    rows,
    numRows: rows.length,
    preview(limit: number): TableData {
      const shown = rows.slice(0, limit);
      return {
        columns,
        rows: shown.map((row) => columns.map((c) => row[c.name])),
        rowCount: rows.length,
        truncated: shown.length < rows.length,
      };
    },
  };
}

/** Replaces each secret by `[REDACTED]` — the simplest redactor that is correct for secrets sharing no character with the marker. */
export function substringRedactor(...secrets: string[]): Redactor {
  return { redact: (text) => secrets.reduce((t, s) => (s ? t.split(s).join('[REDACTED]') : t), text) };
}

/** Every string (and key) inside a value, for "the secret appears nowhere" checks. */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  }
  return [];
}
