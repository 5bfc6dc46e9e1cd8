/**
 * Positional parameters inside one statement of a multi-statement cell (pure). The kernel numbers
 * `${…}` across the whole cell, so the second statement may use only `$2`; DuckDB numbers a
 * statement's positional parameters densely and cannot bind such a gap. Such a statement is
 * rewritten to named parameters (`$2` -> `$p2`), which DuckDB binds by name.
 */
import { tokenize, type Token } from './sql-tokens.js';

/** The `$n` parameter tokens of `sql` (none when it cannot be tokenized: DuckDB reports that). */
function parameterTokens(sql: string): Token[] {
  try {
    return tokenize(sql).filter((t) => t.kind === 'param' && /^\d+$/.test(t.value ?? ''));
  } catch {
    return [];
  }
}

/** The `$n` indices a statement uses, outside quotes and comments. */
export function positionalParameters(sql: string): Set<number> {
  return new Set(parameterTokens(sql).map((t) => Number(t.value)));
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
  for (const token of parameterTokens(sql)) {
    out += `${sql.slice(last, token.start)}$p${token.value}`;
    last = token.end;
  }
  return out + sql.slice(last);
}

/** `sql` with its parameters in a form DuckDB can bind: positional when dense, else named. */
export function bindableText(sql: string): string {
  return isDense(positionalParameters(sql)) ? sql : toNamedParameters(sql);
}

/** The cell parameter index (1-based) that a DuckDB parameter name (`1`, `p2`) stands for. */
export function parameterIndex(name: string): number | undefined {
  const match = /^p?(\d+)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
