/**
 * Renders a code cell's raw text from its parts: the fence (character, length, indentation), the
 * info string, the source and the line ending. Used by edits so that an edited cell keeps the
 * author's fence style; the fence grows when the source contains a line that would close it.
 */
import { matchOpeningFence, type OpeningFence } from './fence.js';
import { normalizeEols, splitLines, type Line } from './lines.js';

/** The pieces of an existing code cell's raw text. */
export interface FenceParts {
  open: OpeningFence;
  /** opening line as written, without its ending */
  openText: string;
  /** closing line as written, without its ending */
  closeText: string;
  eol: string;
  /** the ending after the closing fence ('' at the end of the file) */
  trailing: string;
}

/** Splits a code cell's raw text (which always has an opening and a closing fence line). */
export function fenceParts(raw: string): FenceParts {
  const lines = splitLines(raw);
  const first = lines[0] as Line;
  const last = lines[lines.length - 1] as Line;
  const open = matchOpeningFence(first.text);
  if (!open || lines.length < 2) throw new Error('not a fenced code cell');
  return { open, openText: first.text, closeText: last.text, eol: first.eol, trailing: last.eol };
}

/** The shortest fence length (at least `min`) that no source line can close. */
export function fenceLengthFor(source: string, char: '`' | '~', min: number): number {
  let length = min;
  const closer = char === '`' ? /^[ \t]*(`+)[ \t]*$/ : /^[ \t]*(~+)[ \t]*$/;
  for (const line of source.split(/\r\n|\n|\r/)) {
    const run = closer.exec(line)?.[1]?.length ?? 0;
    if (run >= length) length = run + 1;
  }
  return length;
}

/** Re-renders a cell with new source and/or info string, keeping what can be kept as written. */
export function renderCodeCell(parts: FenceParts, source: string, info?: string): string {
  const { open, eol } = parts;
  const length = fenceLengthFor(source, open.char, open.length);
  const indent = ' '.repeat(open.indent);
  const fence = open.char.repeat(length);
  const openLine =
    info === undefined
      ? indent + fence + parts.openText.slice(open.indent + open.length)
      : indent + fence + info;
  return openLine + eol + body(source, indent, eol) + closeLine(parts, length) + parts.trailing;
}

/** A new cell: unindented backtick fence. */
export function renderNewCodeCell(info: string, source: string, eol: string): string {
  const fence = '`'.repeat(fenceLengthFor(source, '`', 3));
  return `${fence}${info}${eol}${body(source, '', eol)}${fence}${eol}`;
}

function body(source: string, indent: string, eol: string): string {
  if (source === '') return '';
  const lines = normalizeEols(source, eol).split(eol);
  return lines.map((line) => (line === '' ? '' : indent + line) + eol).join('');
}

function closeLine(parts: FenceParts, length: number): string {
  const m = /^( {0,3})([`~]+)(.*)$/.exec(parts.closeText);
  if (m && (m[2] ?? '').length >= length) return parts.closeText;
  return (m?.[1] ?? ' '.repeat(parts.open.indent)) + parts.open.char.repeat(length) + (m?.[3] ?? '');
}
