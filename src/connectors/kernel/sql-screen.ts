/**
 * What a statement's tokens must not contain where DuckDB itself has to keep cells from writing
 * into the workspace (no OS sandbox): calls of the table functions that write files or run SQL
 * from a string, `IMPORT DATABASE` (it runs SQL read from files), and a file-writing statement
 * hidden inside `EXPLAIN` or `PREPARE`, where it could not be rebuilt (sql-writes.ts). Pure.
 *
 * These are names, not paths, so a token is enough: a name inside a string or a comment is not a
 * call, and `query(` still is when written `"QUERY" (` or `system.main.query(`.
 */
import { closingParen, identName, isPunct, isWord, type Token } from './sql-tokens.js';

/** A statement the guard refuses; `at` is the offset of the token that decided it. */
export class Refusal extends Error {
  /** the text `at` points into, when it differs from the cell's (parameters renamed) */
  source?: string;

  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
    this.name = 'SqlError';
  }
}

/** Table functions cells may not call, and why. */
const DENIED_CALLS: ReadonlyMap<string, string> = new Map([
  ['enable_logging', 'it can make DuckDB write log files into the workspace'],
  ['enable_profiling', 'it can make DuckDB write profiles into the workspace'],
  ['query', 'it runs SQL built from a string, which quire cannot check before it runs'],
  ['json_execute_serialized_sql', 'it runs serialized SQL, which quire cannot check before it runs'],
]);

/** Pragmas that run SQL quire cannot see. */
const DENIED_PRAGMAS: ReadonlySet<string> = new Set(['import_database', 'json_execute_serialized_sql']);

/** Keywords of statements that write files (rebuilt when they stand alone, refused when nested). */
export const FILE_STATEMENTS: ReadonlySet<string> = new Set(['copy', 'export', 'attach']);

/** Keywords that may not follow EXPLAIN or PREPARE. */
const NOT_NESTED: ReadonlySet<string> = new Set([...FILE_STATEMENTS, 'import', 'load', 'install', 'force']);

/** A word before a name that makes it a table or column being named, not a function being called. */
const DEFINES_NAME: ReadonlySet<string> = new Set(['table', 'into', 'view', 'exists', 'on', 'references']);

/** Throws a Refusal when the statement (its tokens) calls or runs something the guard cannot check. */
export function screenStatement(tokens: Token[]): void {
  const first = tokens[0];
  if (isWord(first, 'import'))
    throw new Refusal(
      'IMPORT DATABASE is not allowed in SQL cells: it runs SQL read from files, which quire cannot check',
      first?.start ?? 0,
    );
  if (isWord(first, 'pragma') && DENIED_PRAGMAS.has(identName(tokens[1]) ?? ''))
    throw new Refusal(
      `PRAGMA ${identName(tokens[1])} is not allowed in SQL cells: it runs SQL quire cannot check`,
      tokens[1]?.start ?? 0,
    );
  tokens.forEach((token, i) => {
    const name = identName(token);
    const reason = name === undefined ? undefined : DENIED_CALLS.get(name);
    if (reason && isPunct(tokens[i + 1], '(') && !isDefinition(tokens, i))
      throw new Refusal(`${name}(…) is not allowed in SQL cells: ${reason}`, token.start);
  });
  const nested = nestedStatement(tokens, 0);
  if (nested !== 0) {
    const keyword = identName(tokens[nested]);
    if (keyword !== undefined && NOT_NESTED.has(keyword))
      throw new Refusal(
        `${keyword.toUpperCase()} inside ${identName(first)?.toUpperCase()} is not allowed in SQL cells: run it as a statement of its own`,
        tokens[nested]?.start ?? 0,
      );
  }
}

/** True when the name at `i` (possibly qualified: `main.query`) follows CREATE TABLE, INSERT INTO, …. */
function isDefinition(tokens: Token[], i: number): boolean {
  let start = i;
  while (isPunct(tokens[start - 1], '.') && identName(tokens[start - 2]) !== undefined) start -= 2;
  const before = tokens[start - 1];
  return before?.kind === 'word' && DEFINES_NAME.has(before.value ?? '');
}

/** The index where the statement inside `EXPLAIN …` / `PREPARE name AS …` starts (recursively); `at` itself otherwise. */
export function nestedStatement(tokens: Token[], at: number): number {
  const token = tokens[at];
  if (isWord(token, 'explain')) {
    let i = at + 1;
    if (isPunct(tokens[i], '(')) {
      const close = closingParen(tokens, i);
      if (close < 0) return at;
      i = close + 1;
    }
    while (isWord(tokens[i], 'analyze') || isWord(tokens[i], 'analyse') || isWord(tokens[i], 'verbose'))
      i += 1;
    return nestedStatement(tokens, i);
  }
  if (isWord(token, 'prepare')) {
    let depth = 0;
    for (let i = at + 1; i < tokens.length; i++) {
      if (isPunct(tokens[i], '(')) depth += 1;
      else if (isPunct(tokens[i], ')')) depth -= 1;
      else if (depth === 0 && isWord(tokens[i], 'as')) return nestedStatement(tokens, i + 1);
    }
  }
  return at;
}

/**
 * The first file-writing keyword anywhere in the tokens (for statements DuckDB expands into
 * several); `COPY FROM DATABASE` copies between attached databases and writes no file of its own.
 */
export function fileStatementWord(tokens: Token[]): Token | undefined {
  return tokens.find(
    (t, i) =>
      t.kind === 'word' &&
      FILE_STATEMENTS.has(t.value ?? '') &&
      !(t.value === 'copy' && isWord(tokens[i + 1], 'from') && isWord(tokens[i + 2], 'database')),
  );
}
