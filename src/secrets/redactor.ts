/**
 * The redactor of secret values (DESIGN §6). Each registered value is replaced by `[REDACTED]`
 * in every string passed to `redact`, together with the forms it most often takes on its way out
 * of a cell: JSON-escaped, URL-encoded, HTML-escaped, base64 and base64url.
 *
 * Must not: decide where redaction applies (outputs/prepare.ts and the runner do), or keep values
 * anywhere but in memory for the run it belongs to.
 */
import type { Redactor } from '../outputs/redact.js';

export const REDACTED = '[REDACTED]';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** encodeURIComponent throws on a lone surrogate; such a value then has no URL form. */
function urlEncoded(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The value and the encodings it is redacted in; forms equal to the value itself are not repeated. */
export function secretForms(value: string): string[] {
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  const forms = [
    value,
    JSON.stringify(value).slice(1, -1),
    urlEncoded(value),
    escapeHtml(value),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(value, 'utf8').toString('base64url'),
  ];
  return [...new Set(forms)].filter((form) => form.length > 0);
}

export class SecretRedactor implements Redactor {
  private readonly forms = new Set<string>();
  private pattern: RegExp | undefined;

  /**
   * Registers a secret value. Any non-empty value is registered, even a short one: a secret must
   * never leak, and over-redacting a two-letter secret is the lesser harm (docs/security.md).
   */
  register(value: string): void {
    if (value.length === 0) return;
    const before = this.forms.size;
    for (const form of secretForms(value)) this.forms.add(form);
    if (this.forms.size === before) return;
    // Longest first: where one form contains another, the whole of the longer one goes.
    const alternatives = [...this.forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.pattern = new RegExp(alternatives.join('|'), 'g');
  }

  /** Whether any secret was registered. */
  get active(): boolean {
    return this.pattern !== undefined;
  }

  redact(text: string): string {
    return this.pattern ? text.replace(this.pattern, REDACTED) : text;
  }
}
