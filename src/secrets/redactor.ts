/**
 * The redactor of secret values (DESIGN §6). Each registered value is replaced by `[REDACTED]` in
 * every string passed to `redact`, together with the forms it most often takes on its way out of
 * a cell (forms.ts): one pass over the text, the leftmost match first and the longest form at each
 * position, so that where one form contains another the whole of the longer one goes.
 *
 * `[REDACTED]` already in a text is a wall: no match crosses it or starts inside it. That makes
 * redaction idempotent (redacting a redacted text changes nothing, however short or odd the value:
 * a value `RED` would otherwise eat the marker on the second pass), and outputs are redacted twice
 * (as they arrive, and in the record once every secret of the run is known).
 *
 * Must not: decide where redaction applies (outputs/prepare.ts, runner/redact-record.ts do), or
 * keep values anywhere but in memory for the run it belongs to.
 */
import type { Redactor } from '../outputs/redact.js';
import { secretForms } from './forms.js';
import { Matcher } from './matcher.js';

export { secretForms } from './forms.js';

export const REDACTED = '[REDACTED]';

export class SecretRedactor implements Redactor {
  private readonly forms = new Set<string>();
  /** built on first use after a `register` that added forms */
  private matcher: Matcher | undefined;
  private stale = false;
  /** a form contains the marker itself: the marker cannot be a wall then (see `find`) */
  private markerInForm = false;
  /**
   * Some form could overlap a marker in a text (share characters with it without containing it):
   * only then can the walls change a match, and only then is the text searched for markers.
   */
  private markerTouched = false;

  /**
   * Registers a secret value. Any non-empty value is registered, even a short one: a secret must
   * never leak, and over-redacting a two-letter secret is the lesser harm (docs/security.md).
   */
  register(value: string): void {
    if (value.length === 0) return;
    const before = this.forms.size;
    for (const form of secretForms(value)) {
      this.forms.add(form);
      if (form.includes(REDACTED)) this.markerInForm = true;
      else if (overlapsMarker(form)) this.markerTouched = true;
    }
    if (this.forms.size !== before) this.stale = true;
  }

  /** Whether any secret was registered. */
  get active(): boolean {
    return this.forms.size > 0;
  }

  /** The length of the longest form: a match that crosses a chunk boundary starts within this. */
  get longestForm(): number {
    return this.current()?.maxLength ?? 0;
  }

  redact(text: string): string {
    const found = this.find(text);
    if (found.length === 0) return text;
    const parts: string[] = [];
    let last = 0;
    for (let i = 0; i < found.length; i += 2) {
      parts.push(text.slice(last, found[i]), REDACTED);
      last = found[i + 1]!;
    }
    parts.push(text.slice(last));
    return parts.join('');
  }

  /**
   * Where forms occur in `text`, as the flat list `[start0, end0, start1, end1, …]` that `redact`
   * replaces: leftmost first, longest at each start, none overlapping, none crossing a marker.
   */
  find(text: string): number[] {
    const matcher = this.current();
    if (!matcher || text.length === 0) return [];
    // No form can reach into a marker: each match lies between two, as the walls would have it.
    let wall = this.markerInForm || !this.markerTouched ? -1 : text.indexOf(REDACTED);
    if (wall === -1) return matcher.find(text);
    const found: number[] = [];
    let from = 0;
    while (wall !== -1) {
      if (wall > from) append(found, matcher.find(text, from, wall));
      from = wall + REDACTED.length;
      wall = text.indexOf(REDACTED, from);
    }
    if (from < text.length) append(found, matcher.find(text, from, text.length));
    return found;
  }

  private current(): Matcher | undefined {
    if (this.stale || (!this.matcher && this.forms.size > 0)) {
      this.matcher = new Matcher([...this.forms]);
      this.stale = false;
    }
    return this.matcher;
  }
}

/**
 * Whether `form` can share characters with a `[REDACTED]` in a text without containing it: it is
 * part of the marker, or it ends with the marker's beginning, or it begins with the marker's end.
 */
function overlapsMarker(form: string): boolean {
  if (REDACTED.includes(form)) return true;
  for (let n = 1; n < REDACTED.length; n++) {
    if (form.endsWith(REDACTED.slice(0, n)) || form.startsWith(REDACTED.slice(-n))) return true;
  }
  return false;
}

/** `push(...items)` without the argument-count limit (a one-letter secret in a big text matches often). */
function append(list: number[], items: number[]): void {
  for (const item of items) list.push(item);
}
