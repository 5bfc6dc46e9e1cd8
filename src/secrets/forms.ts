/**
 * The accidental forms of a secret value (DESIGN §6): the texts a cell most often lets the value
 * out as, each of which the redactor replaces. Pure: strings in, strings out.
 *
 * - the value, its CRLF/LF twin when it has line breaks, and the value trimmed (a secret read from
 *   a file usually ends with a newline the cell then trims);
 * - of each of those: JSON-escaped once and twice (`JSON.stringify(JSON.stringify(v))`, the inner
 *   text), JSON-escaped with non-ASCII as `\uXXXX` (Python's default), URL-encoded (percent and
 *   form style), HTML-escaped, base64 and base64url whole (padded and not), and the stable middle
 *   of base64/base64url at each of the three byte alignments, so that the value inside a larger
 *   encoded payload (`base64("user:" + value)`, HTTP Basic auth) is still caught;
 * - each line of a multi-line value that is at least MIN_LINE_LENGTH long (trimmed), as text and
 *   JSON-, URL- and HTML-escaped: a PEM key printed line by line leaves no line whole.
 *
 * Must not: decide where redaction applies, or match text (redactor.ts does).
 */

/**
 * A line of a multi-line value shorter than this is not redacted on its own. Short lines of real
 * multi-line secrets are structure (`{`, `}`, `-----`, `"type": 1,`): redacting them everywhere
 * would garble unrelated output, and a fragment of fewer than 8 characters of a longer secret gives
 * away at most a few bytes of it. (The whole value is always redacted, however short.)
 */
export const MIN_LINE_LENGTH = 8;

/**
 * A base64 middle (the value encoded at an alignment inside a longer payload) shorter than this is
 * not registered: it would match ordinary base64 text. It is about 6 bytes of value.
 */
export const MIN_FRAGMENT_LENGTH = 8;

const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** The text between the quotes of `JSON.stringify(text)`. */
const jsonEscaped = (text: string): string => JSON.stringify(text).slice(1, -1);

/** JSON-escaped with every non-ASCII code unit as `\uXXXX` (Python's `json.dumps` default). */
const jsonAscii = (text: string): string =>
  jsonEscaped(text).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** encodeURIComponent throws on a lone surrogate; such a value then has no URL form. */
function urlEncoded(text: string): string[] {
  try {
    return [encodeURIComponent(text), new URLSearchParams({ v: text }).toString().slice(2)];
  } catch {
    return [];
  }
}

const toBase64url = (base64: string): string => base64.replace(/\+/g, '-').replace(/\//g, '_');

/**
 * The value's bytes base64-encoded after 0, 1 or 2 other bytes, keeping only the characters that
 * depend on the value's bits alone: character i covers bits [6i, 6i+6) of the payload, so with
 * `shift` bytes before the value the stable ones run from ceil(8·shift/6) to floor(8·(shift+n)/6).
 */
function base64Middles(bytes: Buffer): string[] {
  const middles: string[] = [];
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const middle = encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
    if (middle.length >= MIN_FRAGMENT_LENGTH) middles.push(middle, toBase64url(middle));
  }
  return middles;
}

/** Every encoding of one whole variant of the value. */
function encodings(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const base64 = bytes.toString('base64');
  return [
    text,
    jsonEscaped(text),
    jsonEscaped(jsonEscaped(text)),
    jsonAscii(text),
    ...urlEncoded(text),
    escapeHtml(text),
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    ...base64Middles(bytes),
  ];
}

/** The text encodings of one line of a multi-line value (a line alone is rarely base64-encoded). */
const lineEncodings = (line: string): string[] => [
  line,
  jsonEscaped(line),
  jsonEscaped(jsonEscaped(line)),
  ...urlEncoded(line),
  escapeHtml(line),
];

/** The value, its other line-ending spelling, and the value trimmed. */
function variants(value: string): string[] {
  const out = [value];
  if (/(^|[^\r])\n/.test(value)) out.push(value.replace(/\r?\n/g, '\r\n'));
  if (value.includes('\r\n')) out.push(value.replace(/\r\n/g, '\n'));
  const trimmed = value.trim();
  if (trimmed !== value && trimmed.length > 0) out.push(trimmed);
  return out;
}

/** The lines of a multi-line value that are long enough to be redacted on their own (trimmed). */
export function secretLines(value: string): string[] {
  const lines = value
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return lines.length < 2 ? [] : lines.filter((line) => line.length >= MIN_LINE_LENGTH);
}

/** The value and every form it is redacted in, each once, none empty. */
export function secretForms(value: string): string[] {
  const forms = [...variants(value).flatMap(encodings), ...secretLines(value).flatMap(lineEncodings)];
  return [...new Set(forms)].filter((form) => form.length > 0);
}
