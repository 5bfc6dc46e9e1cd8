/**
 * Positional parameters inside one statement of a multi-statement cell (pure). The kernel numbers
 * `${…}` across the whole cell, so the second statement may use only `$2`; DuckDB numbers a
 * statement's positional parameters densely and cannot bind such a gap. Such a statement is
 * rewritten to named parameters (`$2` -> `$p2`), which DuckDB binds by name.
 */
import { skipToken } from './sql-split.js';

const POSITIONAL = /^\$(\d+)/;

/** The `$n` indices a statement uses, outside quotes and comments. */
export function positionalParameters(sql: string): Set<number> {
  const found = new Set<number>();
  walkParameters(sql, (index) => found.add(index));
  return found;
}

/** True when the used indices are exactly 1..max (DuckDB binds those positionally). */
export function isDense(indices: ReadonlySet<number>): boolean {
  for (let i = 1; i <= indices.size; i++) if (!indices.has(i)) return false;
  return true;
}

/** `$n` -> `$p<n>` outside quotes and comments. */
export function toNamedParameters(sql: string): string {
  let out = '';
  let last = 0;
  walkParameters(sql, (index, start, end) => {
    out += `${sql.slice(last, start)}$p${index}`;
    last = end;
  });
  return out + sql.slice(last);
}

function walkParameters(sql: string, visit: (index: number, start: number, end: number) => void): void {
  let i = 0;
  while (i < sql.length) {
    const match = sql[i] === '$' ? POSITIONAL.exec(sql.slice(i, i + 12)) : null;
    if (match) {
      visit(Number(match[1]), i, i + match[0].length);
      i += match[0].length;
    } else {
      i = skipToken(sql, i);
    }
  }
}
