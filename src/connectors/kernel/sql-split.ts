/**
 * Splits a SQL cell into statements, keeping where each starts, so that a DuckDB error inside the
 * second statement can be reported at the cell's line (DuckDB's `LINE n:` counts from the start of
 * the text it was given). Pure: no DuckDB, no I/O.
 *
 * It splits at the `;` tokens of sql-tokens.ts, so quotes, comments, `E'…'` escapes and `$tag$`
 * strings never split. A cell it cannot tokenize (e.g. an unterminated quote) comes back as one
 * statement, and DuckDB reports the syntax error.
 */
import { tokenize, type Token } from './sql-tokens.js';

export interface SqlStatement {
  /** the statement text, without the terminating `;` */
  text: string;
  /** 1-based line in the cell where `text` starts */
  line: number;
}

/** Statements of `sql` in order; blank or comment-only pieces are dropped. */
export function splitStatements(sql: string): SqlStatement[] {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    return /\S/.test(sql) ? [statementAt(sql, 0, sql.length)] : [];
  }
  const out: SqlStatement[] = [];
  let start = 0;
  let hasCode = false;
  for (const token of tokens) {
    if (token.kind === 'punct' && token.text === ';') {
      if (hasCode) out.push(statementAt(sql, start, token.start));
      start = token.end;
      hasCode = false;
    } else hasCode = true;
  }
  if (hasCode) out.push(statementAt(sql, start, sql.length));
  return out;
}

function statementAt(sql: string, start: number, end: number): SqlStatement {
  let from = start;
  while (from < end && /\s/.test(sql[from] ?? '')) from += 1; // start at the first non-blank line
  return { text: sql.slice(from, end), line: lineAt(sql, from) };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
