/**
 * Splits a SQL cell into statements, keeping where each starts, so that a DuckDB error inside the
 * second statement can be reported at the cell's line (DuckDB's `LINE n:` counts from the start of
 * the text it was given). Pure: no DuckDB, no I/O.
 *
 * It understands just enough lexical structure not to split inside quotes or comments: `'…'`
 * (with `''`), `"…"`, `$tag$…$tag$`, `-- …` and nested `/* … *\/`. A cell it cannot split cleanly
 * (e.g. an unterminated quote) comes back as one statement, and DuckDB reports the syntax error.
 */

export interface SqlStatement {
  /** the statement text, without the terminating `;` */
  text: string;
  /** 1-based line in the cell where `text` starts */
  line: number;
}

/** Statements of `sql` in order; blank or comment-only pieces are dropped. */
export function splitStatements(sql: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === ';') {
      push(out, sql, start, i);
      start = i + 1;
      i += 1;
    } else {
      i = skipToken(sql, i);
    }
  }
  push(out, sql, start, sql.length);
  return out;
}

function push(out: SqlStatement[], sql: string, start: number, end: number): void {
  let from = start;
  while (from < end && /\s/.test(sql[from] ?? '')) from += 1; // start at the first non-blank line
  const text = sql.slice(from, end);
  if (isBlank(text)) return;
  out.push({ text, line: lineAt(sql, from) });
}

/** The index just past the token that starts at `i` (a quoted string, a comment, or one char). */
export function skipToken(sql: string, i: number): number {
  const ch = sql[i];
  if (ch === "'" || ch === '"') return skipQuoted(sql, i, ch);
  if (ch === '-' && sql[i + 1] === '-') return skipLineComment(sql, i);
  if (ch === '/' && sql[i + 1] === '*') return skipBlockComment(sql, i);
  if (ch === '$') return skipDollarQuoted(sql, i);
  return i + 1;
}

function skipQuoted(sql: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote)
        j += 2; // a doubled quote is an escaped quote
      else return j + 1;
    } else j += 1;
  }
  return sql.length;
}

function skipLineComment(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end === -1 ? sql.length : end + 1;
}

function skipBlockComment(sql: string, i: number): number {
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
  return sql.length;
}

/** `$tag$ … $tag$` (PostgreSQL/DuckDB); a `$1` parameter is not a quote. */
function skipDollarQuoted(sql: string, i: number): number {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
  if (!match) return i + 1;
  const tag = match[0];
  const end = sql.indexOf(tag, i + tag.length);
  return end === -1 ? sql.length : end + tag.length;
}

/** True when `text` holds only whitespace and comments. */
export function isBlank(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) i += 1;
    else if (ch === '-' && text[i + 1] === '-') i = skipLineComment(text, i);
    else if (ch === '/' && text[i + 1] === '*') i = skipBlockComment(text, i);
    else return false;
  }
  return true;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
