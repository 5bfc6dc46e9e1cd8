/**
 * A SQL tokenizer that follows DuckDB's lexer (the PostgreSQL scanner) closely enough to tell code
 * from strings and comments: `'…'` with `''`, `E'…'` with backslash escapes, `"…"` identifiers,
 * `$tag$…$tag$`, `-- …`, nested `/* … *\/`, `$1` / `$name` parameters, and `$` inside identifiers
 * (`a$b` is one word). Pure: no DuckDB, no I/O.
 *
 * The write guard (duckdb-guard.ts) reads statements through these tokens. It never runs text whose
 * meaning depends on them being right: a statement that writes files is rebuilt from its parts, so
 * a tokenizer mistake can make a statement fail or be refused, never write somewhere unchecked.
 */

export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'param' | 'punct';

export interface Token {
  kind: TokenKind;
  /** the source text of the token */
  text: string;
  /** offsets in the statement text */
  start: number;
  end: number;
  /**
   * word: the lower-cased word; ident: the identifier; string: the decoded value (undefined for
   * prefixed strings other than E'…', whose value this module does not decode); param: the name
   * after `$` (`1`, `p2`); others: the text
   */
  value?: string;
  /** string: the prefix letter(s) before the quote (`e`, `x`, `b`, `n`, `u&`), or '' */
  prefix?: string;
}

/** Thrown when the text cannot be tokenized (an unterminated string or comment). */
export class TokenizeError extends Error {}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const SPACE = /\s/;

/** The tokens of `sql`, without whitespace and comments. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] ?? '';
    if (SPACE.test(ch)) i += 1;
    else if (ch === '-' && sql[i + 1] === '-') i = lineCommentEnd(sql, i);
    else if (ch === '/' && sql[i + 1] === '*') i = blockCommentEnd(sql, i);
    else {
      const token = readToken(sql, i);
      tokens.push(token);
      i = token.end;
    }
  }
  return tokens;
}

function readToken(sql: string, i: number): Token {
  const ch = sql[i] ?? '';
  if (ch === "'") return readString(sql, i, i, '');
  if (ch === '"') return readIdent(sql, i, i);
  if (ch === '$') return readDollar(sql, i);
  if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) return readNumber(sql, i);
  if (WORD_START.test(ch)) return readWordOrPrefixed(sql, i);
  return { kind: 'punct', text: ch, value: ch, start: i, end: i + 1 };
}

function readWordOrPrefixed(sql: string, i: number): Token {
  let j = i + 1;
  while (j < sql.length && WORD_PART.test(sql[j] ?? '')) j += 1;
  const word = sql.slice(i, j);
  const lower = word.toLowerCase();
  if (sql[j] === "'" && ['e', 'x', 'b', 'n'].includes(lower)) return readString(sql, i, j, lower);
  if (lower === 'u' && sql[j] === '&' && sql[j + 1] === "'") return readString(sql, i, j + 1, 'u&');
  if (lower === 'u' && sql[j] === '&' && sql[j + 1] === '"') return readIdent(sql, i, j + 1);
  return { kind: 'word', text: word, value: lower, start: i, end: j };
}

/** A string whose opening quote is at `quote` (after any prefix starting at `start`). */
function readString(sql: string, start: number, quote: number, prefix: string): Token {
  const escapes = prefix === 'e';
  let value = '';
  let j = quote + 1;
  for (;;) {
    if (j >= sql.length) throw new TokenizeError('unterminated quoted string');
    const ch = sql[j] ?? '';
    if (escapes && ch === '\\') {
      value += unescape(sql[j + 1] ?? '');
      j += 2;
    } else if (ch === "'") {
      if (sql[j + 1] !== "'") break;
      value += "'";
      j += 2;
    } else {
      value += ch;
      j += 1;
    }
  }
  const end = j + 1;
  const decoded = prefix === '' || prefix === 'e' || prefix === 'n' ? value : undefined;
  return { kind: 'string', text: sql.slice(start, end), value: decoded, prefix, start, end };
}

/** The simple backslash escapes of an E'…' string; others (octal, \x, \u) keep the letter. */
function unescape(ch: string): string {
  const map: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  return map[ch] ?? ch;
}

function readIdent(sql: string, start: number, quote: number): Token {
  let value = '';
  let j = quote + 1;
  for (;;) {
    if (j >= sql.length) throw new TokenizeError('unterminated quoted identifier');
    if (sql[j] === '"') {
      if (sql[j + 1] !== '"') break;
      value += '"';
      j += 2;
    } else {
      value += sql[j];
      j += 1;
    }
  }
  return { kind: 'ident', text: sql.slice(start, j + 1), value, start, end: j + 1 };
}

/** `$1` or `$name` (a parameter) or `$tag$…$tag$` (a string); a lone `$` is punctuation. */
function readDollar(sql: string, i: number): Token {
  const quote = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 130));
  if (quote) {
    const tag = quote[0];
    const close = sql.indexOf(tag, i + tag.length);
    if (close === -1) throw new TokenizeError('unterminated dollar-quoted string');
    const end = close + tag.length;
    return {
      kind: 'string',
      text: sql.slice(i, end),
      value: sql.slice(i + tag.length, close),
      prefix: '$',
      start: i,
      end,
    };
  }
  const param = /^\$([0-9]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i, i + 130));
  if (param) return { kind: 'param', text: param[0], value: param[1], start: i, end: i + param[0].length };
  return { kind: 'punct', text: '$', value: '$', start: i, end: i + 1 };
}

function readNumber(sql: string, i: number): Token {
  let j = i;
  while (j < sql.length) {
    const ch = sql[j] ?? '';
    const exponentSign =
      (ch === '+' || ch === '-') && /[eE]/.test(sql[j - 1] ?? '') && !/^0x/i.test(sql.slice(i, j));
    if (!/[0-9A-Za-z_.]/.test(ch) && !exponentSign) break;
    j += 1;
  }
  const text = sql.slice(i, j);
  return { kind: 'number', text, value: text, start: i, end: j };
}

function lineCommentEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end === -1 ? sql.length : end + 1;
}

function blockCommentEnd(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql[j] === '/' && sql[j + 1] === '*') {
      depth += 1;
      j += 2;
    } else if (sql[j] === '*' && sql[j + 1] === '/') {
      depth -= 1;
      j += 2;
      if (depth === 0) return j;
    } else j += 1;
  }
  throw new TokenizeError('unterminated /* comment');
}

/** True when `token` is the keyword `word` (unquoted, case-insensitive). */
export function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.value === word;
}

export function isPunct(token: Token | undefined, text: string): boolean {
  return token?.kind === 'punct' && token.text === text;
}

/** The index of the `)` closing the `(` at `open`, or -1. */
export function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const token = tokens[i];
    if (isPunct(token, '(')) depth += 1;
    else if (isPunct(token, ')')) {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The name an identifier token stands for (DuckDB matches identifiers case-insensitively). */
export function identName(token: Token | undefined): string | undefined {
  if (token?.kind === 'word') return token.value;
  if (token?.kind === 'ident') return token.value?.toLowerCase();
  return undefined;
}
