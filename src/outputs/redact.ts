/**
 * Applying a redactor to what a cell produced, and only to that. Outputs are user content all
 * through (values, object keys, table rows, chart specs), but the documents that carry them (an
 * output's MIME type, a stream's name, a run record's ids, statuses, hashes and times) are our own
 * vocabulary: a secret that happens to be `e` must not turn `error` into `[REDACTED]rror`.
 *
 * So a document is redacted field by field by a *plan* (`RedactPlan<T>`): one rule per field of its
 * type, `keep` or a function. The plan's type lists every field of `T`, optional ones included, so
 * a field added to `T` without a rule is a type error where the plan is written. At run time a
 * field that no rule names (a record written by a newer version) is treated as user content.
 *
 * The redactor itself (which secrets, which encodings) belongs to src/secrets.
 */
import {
  MIME,
  type ErrorData,
  type Output,
  type StreamData,
  type TableColumn,
  type TableData,
} from './types.js';

/** Replaces secrets in text; src/secrets provides the real one. */
export interface Redactor {
  redact(text: string): string;
}

/** The default: redacts nothing (no secrets were read). */
export const identityRedactor: Redactor = { redact: (text) => text };

/**
 * A copy of `value` with the redactor applied to every string and object key: for free-form user
 * data (JSON, specs, table cells), where keys are data too. Shares nothing mutable with the input.
 * `keys: false` keeps keys (rows of a table page, whose keys are indexes).
 */
export function redactDeep(value: unknown, redactor: Redactor, options: { keys?: boolean } = {}): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redactor, options));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[options.keys === false ? key : redactor.redact(key)] = redactDeep(item, redactor, options);
    return out;
  }
  return value;
}

/**
 * What redaction does to one field: `keep` (our vocabulary, never rewritten) or a rewrite, which
 * also sees the object the field belongs to (an output's data is read by its MIME type).
 */
export type FieldRule<V, T = unknown> = 'keep' | ((value: V, redactor: Redactor, owner: T) => V);

/** One rule for every field of `T`, optional ones included. */
export type RedactPlan<T> = { readonly [K in keyof T]-?: FieldRule<Exclude<T[K], undefined>, T> };

/** A copy of `value` with each field rewritten by its rule; a field without a rule is user content. */
export function redactWith<T extends object>(value: T, plan: RedactPlan<T>, redactor: Redactor): T {
  const byKey = plan as Record<string, FieldRule<unknown, T> | undefined>;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const rule = byKey[key];
    out[key] =
      item === undefined || rule === 'keep'
        ? item
        : rule
          ? rule(item, redactor, value)
          : redactDeep(item, redactor);
  }
  return out as T;
}

/** Rules for the common kinds of user content. */
export const rules = {
  /** a string of user text */
  text: (value: string, redactor: Redactor): string => redactor.redact(value),
  /** free-form data: every string and every key */
  deep: <V>(value: V, redactor: Redactor): V => redactDeep(value, redactor) as V,
  /** a map whose keys are ours (names) and whose values are user data */
  values: <V>(map: Record<string, V>, redactor: Redactor): Record<string, V> =>
    Object.fromEntries(Object.entries(map).map(([key, item]) => [key, redactDeep(item, redactor) as V])),
  /** a map whose keys are user text (metric names) and whose values are not text */
  keys: <V>(map: Record<string, V>, redactor: Redactor): Record<string, V> =>
    Object.fromEntries(Object.entries(map).map(([key, item]) => [redactor.redact(key), item])),
  /** an object with its own plan */
  nested:
    <T extends object>(plan: RedactPlan<T>) =>
    (value: T, redactor: Redactor): T =>
      redactWith(value, plan, redactor),
  /** a list of objects with one plan */
  each:
    <T extends object>(plan: RedactPlan<T>) =>
    (items: T[], redactor: Redactor): T[] =>
      items.map((item) => redactWith(item, plan, redactor)),
};

export const STREAM_PLAN: RedactPlan<StreamData> = { name: 'keep', text: rules.text };

/** An error's name is user content too: code can throw an error named after anything. */
export const ERROR_PLAN: RedactPlan<ErrorData> = {
  name: rules.text,
  message: rules.text,
  line: 'keep',
  column: 'keep',
  stack: rules.text,
};

/** A column's type is user content: DuckDB spells struct fields and enum values into it. */
const COLUMN_PLAN: RedactPlan<TableColumn> = { name: rules.text, type: rules.text };

const TABLE_PLAN: RedactPlan<TableData> = {
  columns: rules.each(COLUMN_PLAN),
  rows: rules.deep,
  rowCount: 'keep',
  truncated: 'keep',
};

/** Redacts a normalized output's data by its kind (the shapes in types.ts). */
export function redactOutputData(mime: string, data: unknown, redactor: Redactor): unknown {
  switch (mime) {
    case MIME.stream:
      return redactWith(data as StreamData, STREAM_PLAN, redactor);
    case MIME.error:
      return redactWith(data as ErrorData, ERROR_PLAN, redactor);
    case MIME.table:
      return redactWith(data as TableData, TABLE_PLAN, redactor);
    default:
      return redactDeep(data, redactor);
  }
}

/** An output: its MIME type was checked when it was produced (prepare.ts); its data is read by it. */
export const OUTPUT_PLAN: RedactPlan<Output> = {
  mime: 'keep',
  data: (data, redactor, output) => redactOutputData(output.mime, data, redactor),
};
