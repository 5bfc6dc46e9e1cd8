/**
 * Column types for a JS array of plain objects queried as a table (pure). Columns are the union
 * of the rows' keys in first-seen order; each column's SQL type is inferred from all its values.
 */

export type JsColumnKind = 'BIGINT' | 'HUGEINT' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMP' | 'JSON';

export interface JsColumn {
  name: string;
  kind: JsColumnKind;
}

/** What one value says about its column's type (null says nothing). */
type ValueKind = 'int' | 'bigint' | 'double' | 'string' | 'boolean' | 'date' | 'object' | null;

function valueKind(value: unknown): ValueKind {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'int' : 'double';
  if (typeof value === 'bigint') return 'bigint';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof Date) return 'date';
  return 'object';
}

/** The column type for a set of value kinds seen in one column. */
export function kindFor(kinds: ReadonlySet<ValueKind>): JsColumnKind {
  const seen = [...kinds].filter((k) => k !== null);
  if (seen.length === 0) return 'VARCHAR';
  if (seen.every((k) => k === 'int')) return 'BIGINT';
  if (seen.every((k) => k === 'int' || k === 'bigint')) return 'HUGEINT';
  if (seen.every((k) => k === 'int' || k === 'bigint' || k === 'double')) return 'DOUBLE';
  if (seen.length === 1)
    return ({ string: 'VARCHAR', boolean: 'BOOLEAN', date: 'TIMESTAMP', object: 'JSON' } as const)[
      seen[0] as 'string'
    ];
  // Mixed scalars/objects: JSON keeps every value's shape (numbers stay numbers, text stays text).
  return 'JSON';
}

/** Infers the columns of `rows` (non-object rows are skipped). */
export function inferJsColumns(rows: readonly unknown[]): JsColumn[] {
  const kinds = new Map<string, Set<ValueKind>>();
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    for (const [key, value] of Object.entries(row)) {
      let set = kinds.get(key);
      if (!set) kinds.set(key, (set = new Set()));
      set.add(valueKind(value));
    }
  }
  return [...kinds].map(([name, set]) => ({ name, kind: kindFor(set) }));
}

/** True for a non-empty array whose elements are all plain objects (the shape loaded as a table). */
export function isRowArray(value: unknown): value is Record<string, unknown>[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  const first: unknown = value[0];
  return typeof first === 'object' && first !== null && !Array.isArray(first) && !(first instanceof Date);
}
