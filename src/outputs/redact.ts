/**
 * Applying a redactor to every string in an output: values, object keys, table rows, chart specs.
 * The redactor itself (which secrets, which encodings) belongs to src/secrets; this module only
 * makes sure no string leaf is missed.
 */

/** Replaces secrets in text; src/secrets provides the real one. */
export interface Redactor {
  redact(text: string): string;
}

/** The default: redacts nothing (no secrets were read). */
export const identityRedactor: Redactor = { redact: (text) => text };

/** A copy of `value` with the redactor applied to every string and object key. Shares nothing mutable with the input. */
export function redactDeep(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redactor));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[redactor.redact(key)] = redactDeep(item, redactor);
    return out;
  }
  return value;
}
