/**
 * The one gate every output passes on the host before it is stored, sent or exported:
 * normalize the shape -> redact every string -> sanitize markup -> cap the size. Redaction comes
 * before the cap so that a cut can never leave half a secret behind.
 */
import { normalizeOutput } from './normalize.js';
import { identityRedactor, redactOutputData, type Redactor } from './redact.js';
import { sanitizeHtml } from './sanitize.js';
import { capOutput } from './size.js';
import { MIME, type Output } from './types.js';

export type { Redactor } from './redact.js';

export interface PrepareOptions {
  /** the size limit per output in bytes of UTF-8 / JSON (default 1 MiB) */
  maxBytes?: number;
  /** replaces secrets in every string (default: none) */
  redactor?: Redactor;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

const KNOWN_MIMES: ReadonlySet<string> = new Set(Object.values(MIME));

/** A kernel-chosen MIME type is shown in exports but cannot be redacted in place (that would change its kind): drop the output. */
const REDACTED_MIME_NOTE: Output = {
  mime: MIME.text,
  data: '[output dropped: its MIME type contained a secret]',
};

/**
 * Sanitizing decodes entities, so `&#115;ecret` would come out as `secret`: redact the sanitized
 * markup again, and sanitize once more if that changed it (a replacement inside an attribute
 * could otherwise unbalance its quotes).
 */
function safeMarkup(markup: string, redactor: Redactor): string {
  const clean = sanitizeHtml(markup);
  const redacted = redactor.redact(clean);
  return redacted === clean ? clean : sanitizeHtml(redacted);
}

export function prepareOutput(output: Output, options: PrepareOptions = {}): Output {
  const redactor = options.redactor ?? identityRedactor;
  const normal = normalizeOutput(output);
  if (!KNOWN_MIMES.has(normal.mime) && redactor.redact(normal.mime) !== normal.mime)
    return REDACTED_MIME_NOTE;
  const redacted: Output = { mime: normal.mime, data: redactOutputData(normal.mime, normal.data, redactor) };
  if (redacted.mime === MIME.html || redacted.mime === MIME.svg) {
    redacted.data = safeMarkup(redacted.data as string, redactor);
  }
  return capOutput(redacted, options.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
}

export function prepareOutputs(outputs: readonly Output[], options: PrepareOptions = {}): Output[] {
  return outputs.map((output) => prepareOutput(output, options));
}
