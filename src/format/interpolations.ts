/**
 * `${expr}` interpolations. The expression runs to the `}` that balances its `${`, skipping braces
 * inside JS strings and template literals (whose own `${…}` nest). In Markdown mode a backslash
 * escapes the next ASCII punctuation character (so `\${` is literal), and `${` inside inline code
 * spans or fenced code blocks is text, as the reader sees it.
 */
import { findClosingFence, matchOpeningFence } from './fence.js';
import { lineEnd, splitLines } from './lines.js';
import type { Interpolation } from './types.js';

/** An unclosed or empty `${`: offset of its `$` and a message. */
export class InterpolationSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const PUNCTUATION = /[!-/:-@[-`{-~]/;

/** Finds the interpolations of Markdown text; throws InterpolationSyntaxError on an unclosed `${`. */
export function findProseInterpolations(text: string): Interpolation[] {
  const found: Interpolation[] = [];
  const paragraphEnd = paragraphEnds(text);
  for (const [start, end] of textRanges(text)) {
    let i = start;
    while (i < end) {
      const c = text[i];
      if (c === '\\' && PUNCTUATION.test(text[i + 1] ?? '')) i += 2;
      else if (c === '`') i = skipCodeSpan(text, i, Math.min(end, paragraphEnd(i)));
      else if (c === '$' && text[i + 1] === '{') {
        const item = readInterpolation(text, i);
        found.push(item);
        i = item.end;
      } else i++;
    }
  }
  return found;
}

/** Finds the interpolations of code text (SQL): no Markdown escapes or code spans. */
export function findCodeInterpolations(text: string): Interpolation[] {
  const found: Interpolation[] = [];
  let i = text.indexOf('${');
  while (i !== -1) {
    const item = readInterpolation(text, i);
    found.push(item);
    i = text.indexOf('${', item.end);
  }
  return found;
}

/** Ranges of the text outside fenced code blocks (an unterminated fence runs to the end). */
function textRanges(text: string): Array<[number, number]> {
  const lines = splitLines(text);
  const ranges: Array<[number, number]> = [];
  let from = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const open = line && matchOpeningFence(line.text);
    if (!line || !open) continue;
    ranges.push([from, line.start]);
    const close = findClosingFence(lines, i, open);
    const closeLine = close === -1 ? undefined : lines[close];
    from = closeLine ? lineEnd(closeLine) : text.length;
    i = close === -1 ? lines.length : close;
  }
  ranges.push([from, text.length]);
  return ranges;
}

/** A function giving the offset of the next blank line at or after an offset (asked in increasing order). */
function paragraphEnds(text: string): (offset: number) => number {
  const blank = /\n[ \t]*\r?\n|\r[ \t]*\r/g;
  let next = -1;
  return (offset) => {
    if (next !== text.length && next < offset) {
      blank.lastIndex = offset;
      next = blank.exec(text)?.index ?? text.length;
    }
    return next;
  };
}

/**
 * CommonMark code span: a run of n backticks up to the next run of exactly n; without one, the
 * run is literal. Spans do not cross a blank line (`limit`, the end of the paragraph).
 */
function skipCodeSpan(text: string, at: number, limit: number): number {
  const n = runLength(text, at, '`');
  let i = at + n;
  while (i < limit) {
    if (text[i] !== '`') {
      i++;
      continue;
    }
    const run = runLength(text, i, '`');
    if (run === n && i + run <= limit) return i + run;
    i += run;
  }
  return at + n;
}

function runLength(text: string, at: number, char: string): number {
  let n = 0;
  while (text[at + n] === char) n++;
  return n;
}

/** Reads `${…}` starting at `start` (the `$`). */
function readInterpolation(text: string, start: number): Interpolation {
  const close = scanExpression(text, start + 2);
  if (close === -1) throw new InterpolationSyntaxError('unclosed ${ interpolation', start);
  const expression = text.slice(start + 2, close);
  if (expression.trim() === '') throw new InterpolationSyntaxError('empty ${} interpolation', start);
  return { expression, start, end: close + 1 };
}

/**
 * Offset of the `}` closing an expression that starts at `from`, or -1. A stack tracks what each
 * open `{` belongs to: a plain brace, or a `${` inside a template literal (whose `}` resumes the
 * template).
 */
function scanExpression(text: string, from: number): number {
  const stack: Array<'brace' | 'template'> = [];
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = skipString(text, i, c);
    } else if (c === '`') {
      const next = skipTemplate(text, i + 1);
      if (next.kind === 'open') stack.push('template');
      i = next.at;
    } else if (c === '{') {
      stack.push('brace');
      i++;
    } else if (c === '}') {
      const top = stack.pop();
      if (top === undefined) return i;
      if (top === 'template') {
        const next = skipTemplate(text, i + 1);
        if (next.kind === 'open') stack.push('template');
        i = next.at;
      } else i++;
    } else i++;
  }
  return -1;
}

function skipString(text: string, at: number, quote: string): number {
  let i = at + 1;
  while (i < text.length && text[i] !== quote && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}

/** Skips template text from `at`: to after the closing backtick, or into a `${` (kind 'open'). */
function skipTemplate(text: string, at: number): { kind: 'closed' | 'open'; at: number } {
  let i = at;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '`') return { kind: 'closed', at: i + 1 };
    else if (c === '$' && text[i + 1] === '{') return { kind: 'open', at: i + 2 };
    else i++;
  }
  return { kind: 'closed', at: text.length };
}
