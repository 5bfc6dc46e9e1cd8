/**
 * The fingerprint of a failure, which alerts are deduplicated by: the notebook plus its error line
 * with everything that changes from run to run taken out, so that "timeout after 3012 ms" and
 * "timeout after 2998 ms" are one failure while "table orders not found" and "division by zero" are
 * two.
 *
 * Pure: no I/O beyond hashing.
 */
import { createHash } from 'node:crypto';

// Order matters: whole tokens that contain digits (run ids, timestamps, UUIDs, hex ids) are
// replaced before bare numbers would cut them into pieces.
const RULES: readonly [RegExp, string][] = [
  // quoted values ('x', "x", `x`): user data such as a missing file or a bad value; an apostrophe
  // inside a word ("can't") does not open a quote
  [/(?<![\w'"`])(['"`])[^\n]*?\1(?![\w'"`])/g, '<str>'],
  // run ids as the store makes them: run-20250102T030405Z-a1b2c3
  [/\brun-\d{8}T\d{6}Z-[0-9a-f]+\b/gi, '<run>'],
  // ISO dates and times, with optional fraction and zone
  [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/gi, '<time>'],
  [/\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b0x[0-9a-f]+\b/gi, '<id>'],
  // hex ids (hashes, object ids): at least 6 hex digits mixing digits and letters
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}\b/gi, '<id>'],
  // numbers, but not digits that are part of a name (orders_2024, cell2, v8)
  [/(?<![\w$])\d+(?:[.,]\d+)*(?:e[+-]?\d+)?/gi, '<n>'],
];

/** The first non-empty line of an error with run-specific details replaced by placeholders. */
export function normalizeError(error: string): string {
  const line =
    error
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find(Boolean) ?? '';
  let text = line;
  for (const [pattern, placeholder] of RULES) text = text.replace(pattern, placeholder);
  return text.replace(/\s+/g, ' ').trim();
}

/** sha256 (hex) of the notebook path and the normalized error. */
export function failureFingerprint(notebookPath: string, error: string): string {
  return createHash('sha256').update(notebookPath).update('\0').update(normalizeError(error)).digest('hex');
}
