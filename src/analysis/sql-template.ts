/**
 * The `${…}` of a SQL cell become positional parameters `$1…$n`, one per occurrence, in order
 * (DESIGN §3: always bound, never spliced into the text). `\${` is a literal `${`.
 *
 * Where a `${` sits decides what it is, as the author would expect:
 * - in code: a parameter;
 * - inside a '…' or E'…' string: still a parameter (the template is JS-level, as in Observable),
 *   and the literal is rewritten so the value is really bound: `'${x}'` → `$1`,
 *   `'%${x}%'` → `('%' || $1 || '%')`;
 * - inside a comment, a $$dollar$$ string or a "quoted identifier": text, not a parameter (a
 *   commented-out line must not bind a value the query no longer has a `$n` for).
 */
import { commentEnd, dollarStringEnd, isEscapeString, quotedEnd } from './sql-lexer.js';
import { parseInterpolation, type ParsedInterpolation } from './interpolation.js';

export interface SqlTemplate {
  sql: string;
  parameters: ParsedInterpolation[];
}

interface Scan {
  source: string;
  out: string;
  parameters: ParsedInterpolation[];
}

export function compileSqlTemplate(source: string): SqlTemplate {
  const scan: Scan = { source, out: '', parameters: [] };
  let i = 0;
  while (i < source.length) i = step(scan, i);
  return { sql: scan.out, parameters: scan.parameters };
}

/** Consumes one piece of SQL at `i`, appends its compiled form, returns where the next starts. */
function step(scan: Scan, i: number): number {
  const { source } = scan;
  if (source.startsWith('\\${', i)) return emit(scan, '${', i + 3);
  if (source.startsWith('${', i)) {
    const index = addParameter(scan, i);
    return emit(scan, `$${index}`, (scan.parameters[index - 1] as ParsedInterpolation).end);
  }
  if (isEscapeString(source, i)) return stringLiteral(scan, i + 1, 'E');
  if (source[i] === "'") return stringLiteral(scan, i, '');
  const end = verbatimEnd(source, i);
  return emit(scan, source.slice(i, end), end);
}

function emit(scan: Scan, text: string, next: number): number {
  scan.out += text;
  return next;
}

function addParameter(scan: Scan, dollar: number): number {
  scan.parameters.push(parseInterpolation(scan.source, dollar + 2));
  return scan.parameters.length;
}

/** End of a piece copied as written: a comment, a dollar string, a quoted identifier, or one char. */
function verbatimEnd(source: string, i: number): number {
  const comment = commentEnd(source, i);
  if (comment !== -1) return comment;
  const dollar = dollarStringEnd(source, i);
  if (dollar !== -1) return dollar;
  if (source[i] === '"') return quotedEnd(source, i);
  return i + 1;
}

/** A '…' literal (opening quote at `quote`) whose `${…}` are parameters; see the module comment. */
function stringLiteral(scan: Scan, quote: number, prefix: string): number {
  const { source } = scan;
  const parts: (string | number)[] = [];
  let text = '';
  let j = quote + 1;
  while (j < source.length && !isClosingQuote(source, j)) {
    if (source.startsWith('${', j)) {
      parts.push(text, addParameter(scan, j));
      text = '';
      j = (scan.parameters.at(-1) as ParsedInterpolation).end;
      continue;
    }
    const width = literalCharWidth(source, j, prefix === 'E');
    text += source.startsWith('\\${', j) ? '${' : source.slice(j, j + width);
    j += width;
  }
  parts.push(text);
  scan.out += renderLiteral(parts, prefix);
  return Math.min(j + 1, source.length);
}

function isClosingQuote(source: string, j: number): boolean {
  return source[j] === "'" && source[j + 1] !== "'";
}

/** How many source characters one literal character takes: `''`, `\${`, an E-string escape, or 1. */
function literalCharWidth(source: string, j: number, backslashEscapes: boolean): number {
  if (source.startsWith("''", j)) return 2;
  if (source.startsWith('\\${', j)) return 3;
  if (backslashEscapes && source[j] === '\\') return 2;
  return 1;
}

function renderLiteral(parts: (string | number)[], prefix: string): string {
  const quoted = (text: string): string => `${prefix}'${text}'`;
  if (parts.length === 1) return quoted(parts[0] as string);
  const pieces = parts
    .filter((part) => part !== '')
    .map((part) => (typeof part === 'number' ? `$${part}` : quoted(part)));
  return pieces.length === 1 ? (pieces[0] as string) : `(${pieces.join(' || ')})`;
}
