/**
 * Line bookkeeping for the parser: splits text into lines (CommonMark line endings: `\n`, `\r\n`
 * or a lone `\r`) and maps offsets to 1-based line/column. Owns nothing else.
 */
import type { SourcePosition } from './types.js';

/** One line of the text: `text` excludes the line ending, `eol` is the ending as written. */
export interface Line {
  /** offset of the first character */
  start: number;
  text: string;
  /** `'\n'`, `'\r\n'`, `'\r'`, or `''` for a last line without an ending */
  eol: string;
}

const LINE = /([^\r\n]*)(\r\n|\n|\r|$)/y;

/** Splits `text` into lines; an empty text and a text ending in a line ending add no empty last line. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let offset = 0;
  while (offset < text.length) {
    LINE.lastIndex = offset;
    const m = LINE.exec(text);
    if (!m) break; // unreachable: the pattern always matches at least the empty string
    lines.push({ start: offset, text: m[1] ?? '', eol: m[2] ?? '' });
    offset = LINE.lastIndex;
  }
  return lines;
}

/** The offset just past a line, its ending included. */
export function lineEnd(line: Line): number {
  return line.start + line.text.length + line.eol.length;
}

/** Maps offsets in one text to 1-based positions; built once per parse. */
export class LineIndex {
  private readonly starts: number[];

  constructor(lines: Line[]) {
    this.starts = lines.map((l) => l.start);
    if (this.starts.length === 0) this.starts.push(0);
  }

  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

/** The first line ending used in `text`, or `fallback` when it has none. */
export function firstEol(text: string, fallback = '\n'): string {
  const m = /\r\n|\n|\r/.exec(text);
  return m ? m[0] : fallback;
}

/** Rewrites every line ending of `text` to `eol` (editors hand us `\n`; the file may use CRLF). */
export function normalizeEols(text: string, eol: string): string {
  return text.replace(/\r\n|\n|\r/g, eol);
}
