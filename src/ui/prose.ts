/**
 * What a prose cell shows (pure): its `text/markdown` output, the kernel's rendering of the source
 * with every `${…}` filled (src/kernel/runtime/prose.ts), when that output belongs to the current
 * source; otherwise the source itself. Finding the interpolations uses the format's own scanner
 * (code spans, fences and `\${` are text there), so the editor and the file agree on what runs.
 */
import { findProseInterpolations } from '../format/interpolations.js';
import { MIME, type Output } from '../protocol/index.js';

/** The text of a prose cell just added, selected in its editor so that typing replaces it. */
export const NEW_PROSE = 'New text.';

/** The Markdown between the interpolations, or null when an `${` is not closed. */
function literalParts(source: string): string[] | null {
  try {
    const parts: string[] = [];
    let cursor = 0;
    for (const { start, end } of findProseInterpolations(source)) {
      parts.push(source.slice(cursor, start));
      cursor = end;
    }
    parts.push(source.slice(cursor));
    return parts;
  } catch {
    return null;
  }
}

/** True when the prose has `${…}` to evaluate, i.e. running it renders something new. */
export function hasInterpolations(source: string): boolean {
  const parts = literalParts(source);
  return parts !== null && parts.length > 1;
}

/**
 * True when `rendered` could be `source` with its interpolations filled: it starts with the first
 * literal part, ends with the last, and has the others in order between. An output of an older
 * source (an edit not run yet) does not fit, so the edit shows at once, unrendered.
 */
export function fitsSource(source: string, rendered: string): boolean {
  const parts = literalParts(source);
  if (!parts) return false;
  const first = parts[0] as string;
  if (parts.length === 1) return rendered === first;
  const last = parts[parts.length - 1] as string;
  if (!rendered.startsWith(first) || !rendered.endsWith(last)) return false;
  let at = first.length;
  const stop = rendered.length - last.length;
  if (stop < at) return false;
  for (const part of parts.slice(1, -1)) {
    const found = rendered.indexOf(part, at);
    if (found === -1 || found + part.length > stop) return false;
    at = found + part.length;
  }
  return true;
}

export const markdownOutput = (outputs: readonly Output[]): string | undefined => {
  const found = outputs.findLast((o) => o.mime === MIME.markdown && typeof o.data === 'string');
  return found?.data as string | undefined;
};

/**
 * The Markdown to show for a prose cell. `previous` is the rendering shown last time: a re-run
 * clears the outputs until the new one arrives, and showing the old values meanwhile avoids a
 * flash of raw `${…}`.
 */
export function proseMarkdown(
  source: string,
  outputs: readonly Output[],
  previous: string | undefined,
): { markdown: string; rendered: boolean } {
  for (const candidate of [markdownOutput(outputs), previous])
    if (candidate !== undefined && hasInterpolations(source) && fitsSource(source, candidate))
      return { markdown: candidate, rendered: true };
  return { markdown: source, rendered: false };
}

/** The blank lines around a prose cell's text: they separate it from its neighbours in the file. */
export interface ProseFrame {
  lead: string;
  trail: string;
}

/**
 * Splits prose into its frame and the text a person edits. A prose cell's source holds the blank
 * lines between it and the cells around it; editing them away (select all, type) would glue the
 * text to the next fence. Blank text keeps one line break on each side where it has two.
 */
export function splitProse(source: string): ProseFrame & { body: string } {
  const trail = /\s*$/.exec(source)?.[0] ?? '';
  const rest = source.slice(0, source.length - trail.length);
  if (rest === '') {
    const first = trail.indexOf('\n');
    const twoLines = first !== -1 && trail.indexOf('\n', first + 1) !== -1;
    return twoLines
      ? { lead: trail.slice(0, first + 1), body: '', trail: trail.slice(first + 1) }
      : { lead: '', body: '', trail };
  }
  const lead = /^(?:[ \t]*\r?\n)*/.exec(rest)?.[0] ?? '';
  return { lead, body: rest.slice(lead.length), trail };
}

/**
 * The edited text of `source` inside `frame` (taken when the editor opened), so that what the
 * person typed, trailing spaces included, comes back unchanged; another frame (someone else's
 * edit) is split afresh.
 */
export function proseBody(source: string, frame: ProseFrame): string {
  const fits =
    source.length >= frame.lead.length + frame.trail.length &&
    source.startsWith(frame.lead) &&
    source.endsWith(frame.trail);
  return fits ? source.slice(frame.lead.length, source.length - frame.trail.length) : splitProse(source).body;
}

/**
 * The prose with a new paragraph of placeholder text at its start or end: what "+ Markdown" next to
 * a prose cell adds (a new cell there would merge with it), so typing starts a paragraph of its own
 * rather than continuing the last line. The frame (blank lines around) is kept.
 */
export function withNewParagraph(source: string, side: 'start' | 'end'): string {
  const { lead, body, trail } = splitProse(source);
  if (body === '') return lead + NEW_PROSE + trail;
  return lead + (side === 'start' ? `${NEW_PROSE}\n\n${body}` : `${body}\n\n${NEW_PROSE}`) + trail;
}

/** Where the placeholder paragraph of a just-added text is in `body` (to select it), if anywhere. */
export function placeholderRange(body: string): [number, number] | undefined {
  const n = NEW_PROSE.length;
  if (body === NEW_PROSE || body.startsWith(`${NEW_PROSE}\n\n`)) return [0, n];
  if (body.endsWith(`\n\n${NEW_PROSE}`)) return [body.length - n, body.length];
  return undefined;
}
