/**
 * Lexical pieces of SQL shared by the template pass and the table scan: where comments, dollar-
 * quoted strings, quoted identifiers and string literals end. Tolerant by design (PostgreSQL and
 * DuckDB dialects): an unterminated construct runs to the end of the text instead of failing; the
 * database reports the real error.
 */

export type SqlTokenKind = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'punct';

export interface SqlToken {
  kind: SqlTokenKind;
  /** the token as written */
  text: string;
  /** words: as written; quoted identifiers: the name without quotes, `""` unescaped */
  value: string;
  start: number;
}

/** End of a `--` or (nested, as in PostgreSQL) `/* … *\/` comment starting at `i`, or -1. */
export function commentEnd(sql: string, i: number): number {
  if (sql.startsWith('--', i)) {
    const newline = sql.indexOf('\n', i);
    return newline === -1 ? sql.length : newline;
  }
  if (!sql.startsWith('/*', i)) return -1;
  let depth = 0;
  for (let j = i; j < sql.length; j++) {
    if (sql.startsWith('/*', j)) {
      depth++;
      j++;
    } else if (sql.startsWith('*/', j)) {
      depth--;
      j++;
      if (depth === 0) return j + 1;
    }
  }
  return sql.length;
}

const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;

/** End of a `$tag$ … $tag$` string starting at `i`, or -1 (`$1` is a parameter, not a tag). */
export function dollarStringEnd(sql: string, i: number): number {
  DOLLAR_TAG.lastIndex = i;
  const match = DOLLAR_TAG.exec(sql);
  if (!match) return -1;
  const close = sql.indexOf(match[0], i + match[0].length);
  return close === -1 ? sql.length : close + match[0].length;
}

/** End of a `'…'` string or `"…"` identifier whose opening quote is at `i` (doubled quotes escape). */
export function quotedEnd(sql: string, i: number, backslashEscapes = false): number {
  const quote = sql[i];
  for (let j = i + 1; j < sql.length; j++) {
    if (backslashEscapes && sql[j] === '\\') j++;
    else if (sql[j] === quote) {
      if (sql[j + 1] !== quote) return j + 1;
      j++;
    }
  }
  return sql.length;
}

/** Whether an `E'…'` escape string (backslash escapes) starts at `i`. */
export function isEscapeString(sql: string, i: number): boolean {
  return (sql[i] === 'E' || sql[i] === 'e') && sql[i + 1] === "'" && !isWordChar(sql[i - 1]);
}

export function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}_$]/u.test(char);
}

const WORD = /[\p{L}_][\p{L}\p{N}_$]*/uy;
const NUMBER = /\d[\d_]*(\.\d*)?([eE][+-]?\d+)?/y;
const PARAM = /\$\d+/y;

/** Splits SQL into tokens, dropping whitespace and comments. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    if (/\s/.test(sql[i] as string)) {
      i++;
      continue;
    }
    const comment = commentEnd(sql, i);
    if (comment !== -1) {
      i = comment;
      continue;
    }
    const token = readToken(sql, i);
    tokens.push(token);
    i = token.start + token.text.length;
  }
  return tokens;
}

function readToken(sql: string, i: number): SqlToken {
  const make = (kind: SqlTokenKind, end: number, value = sql.slice(i, end)): SqlToken => ({
    kind,
    text: sql.slice(i, end),
    value,
    start: i,
  });
  if (isEscapeString(sql, i)) return make('string', quotedEnd(sql, i + 1, true));
  if (sql[i] === "'") return make('string', quotedEnd(sql, i));
  if (sql[i] === '"') {
    const end = quotedEnd(sql, i);
    return make('quoted', end, sql.slice(i + 1, end - 1).replaceAll('""', '"'));
  }
  const dollar = dollarStringEnd(sql, i);
  if (dollar !== -1) return make('string', dollar);
  for (const [kind, pattern] of [
    ['word', WORD],
    ['number', NUMBER],
    ['param', PARAM],
  ] as const) {
    pattern.lastIndex = i;
    const match = pattern.exec(sql);
    if (match) return make(kind, i + match[0].length);
  }
  return make('punct', i + 1);
}
