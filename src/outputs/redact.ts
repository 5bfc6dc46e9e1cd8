/**
 * Applying a redactor to every string in an output: values, object keys, table rows, chart specs.
 * The redactor itself (which secrets, which encodings) belongs to src/secrets; this module only
 * makes sure no string leaf is missed.
 */
import { MIME, type ErrorData, type StreamData, type TableData } from './types.js';

/** Replaces secrets in text; src/secrets provides the real one. */
export interface Redactor {
  redact(text: string): string;
}

/** The default: redacts nothing (no secrets were read). */
export const identityRedactor: Redactor = { redact: (text) => text };

/**
 * A copy of `value` with the redactor applied to every string and object key. Shares nothing
 * mutable with the input. With `keys: false` keys are kept: for documents whose keys are
 * vocabulary (the run record, whose outputs were redacted keys and all by prepareOutput), so that
 * a short secret cannot break their shape.
 */
export function redactDeep(value: unknown, redactor: Redactor, options: { keys?: boolean } = {}): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redactor, options));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[options.keys === false ? key : redactor.redact(key)] = redactDeep(item, redactor, options);
    }
    return out;
  }
  return value;
}

function redactStrings<T extends object>(record: T, redactor: Redactor): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record))
    out[key] = typeof item === 'string' ? redactor.redact(item) : item;
  return out as T;
}

/**
 * Redacts a normalized output's data by its kind: the field names of the shapes in types.ts are
 * vocabulary, not user data, and must survive a secret that happens to be `m` or `name`; keys
 * inside free-form data (JSON, specs, table cells) are user data and are redacted.
 */
export function redactOutputData(mime: string, data: unknown, redactor: Redactor): unknown {
  switch (mime) {
    case MIME.stream:
    case MIME.error:
      return redactStrings(data as StreamData | ErrorData, redactor);
    case MIME.table: {
      const table = data as TableData;
      const columns = table.columns.map((c) => redactStrings(c, redactor));
      return { ...table, columns, rows: redactDeep(table.rows, redactor) };
    }
    default:
      return redactDeep(data, redactor);
  }
}
