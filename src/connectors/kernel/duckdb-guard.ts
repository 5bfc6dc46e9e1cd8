/**
 * Where SQL cells may write files. DuckDB's `allowed_directories` cover reads and writes alike, so
 * without an OS sandbox that mounts the workspace read-only, DuckDB could overwrite notebooks,
 * `package.json` or `.git/` files. This guard runs before each statement of a cell:
 * - the statement's tokens are screened (sql-screen.ts: no logging/profiling/`query()` calls, no
 *   IMPORT DATABASE, no COPY hidden in EXPLAIN or PREPARE);
 * - `COPY … TO`, `EXPORT DATABASE` and `ATTACH` (read-write) are taken apart, their target is
 *   evaluated (a literal, a `${…}` parameter or an expression DuckDB computes) and resolved like
 *   DuckDB resolves it (against the cwd, through symlinks), and the statement is rebuilt around that
 *   checked path (sql-writes.ts) only if it lies under the scratch folder; `COPY … FROM` and
 *   read-only ATTACH are rebuilt the same way but may read anywhere DuckDB allows;
 * - every statement DuckDB prepares must have the type the tokens announced, so a file-writing
 *   statement that the guard did not rebuild never runs.
 * With the OS sandbox (`osSandbox`), only the target evaluation remains, so that EXPORT DATABASE
 * and ATTACH accept the same `(scratch('…'))` targets in both modes; writes into the read-only
 * workspace fail at the OS and duckdb-errors.ts explains them.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { isInside } from './allow-list.js';
import { StatementType } from './duckdb-api.js';
import { bindParameters } from './duckdb-params.js';
import { bindableText, parameterIndex } from './sql-params.js';
import { FILE_STATEMENTS, fileStatementWord, Refusal, screenStatement } from './sql-screen.js';
import { tokenize, TokenizeError, type Token } from './sql-tokens.js';
import {
  isReadOnly,
  parseWriteStatement,
  rebuildStatement,
  UnsupportedStatement,
  type StatementOption,
  type Target,
  type WriteStatement,
} from './sql-writes.js';

/** Statement types that write files; they run only as the guard rebuilt them. */
const FILE_TYPES: ReadonlySet<number> = new Set([
  StatementType.COPY,
  StatementType.EXPORT,
  StatementType.ATTACH,
]);

const EXPECTED_TYPE: Record<WriteStatement['kind'], number> = {
  copy: StatementType.COPY,
  export: StatementType.EXPORT,
  attach: StatementType.ATTACH,
};

export interface GuardOptions {
  /** the scratch folder (its real path): the one place cells may write */
  scratch: string;
  /** false when the OS already keeps the workspace read-only (then only targets are evaluated) */
  enforce: boolean;
}

/** What to run for one statement of a cell. */
export interface GuardPlan {
  /** the text to prepare instead of DuckDB's extracted statements, and the type it must have */
  rebuilt?: { text: string; type: number };
}

export class WriteGuard {
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly options: GuardOptions,
  ) {}

  /**
   * Checks one statement text before any of it is prepared (binding EXPORT DATABASE already
   * creates its folder). `count` is how many statements DuckDB extracted from it, undefined when
   * DuckDB could not parse it: then only a write statement whose target quire evaluates (an
   * expression or a parameter, which DuckDB's EXPORT and ATTACH do not accept) is rebuilt, and
   * anything else gets DuckDB's own parse error.
   */
  async plan(text: string, count: number | undefined, parameters: readonly unknown[]): Promise<GuardPlan> {
    const { enforce } = this.options;
    const tokens = this.#tokens(text, count !== undefined);
    if (!tokens) return {};
    if (enforce && count !== undefined) screenStatement(tokens);
    const write = this.#parse(tokens, text, count !== undefined);
    if (count === undefined) {
      if (!write || write.target.kind === 'literal') return {};
      if (enforce) screenStatement(tokens);
      return this.#rebuild(write, parameters);
    }
    if (!write) {
      const mention = enforce && count > 1 ? fileStatementWord(tokens) : undefined;
      if (mention)
        throw new Refusal(
          `${mention.text.toUpperCase()} in a statement DuckDB expands into several cannot be checked: run it as a statement of its own`,
          mention.start,
        );
      return {};
    }
    if (count !== 1)
      throw new Refusal(`${write.kind.toUpperCase()} must be a statement of its own`, tokens[0]?.start ?? 0);
    // Without enforcement DuckDB runs the statement as written, except targets only quire understands.
    if (!enforce && (write.target.kind === 'literal' || write.kind === 'copy')) return {};
    return this.#rebuild(write, parameters);
  }

  async #rebuild(write: WriteStatement, parameters: readonly unknown[]): Promise<GuardPlan> {
    const target = await this.#targetValue(write.target, parameters, write.targetAt);
    const resolved = this.options.enforce ? this.#check(write, target, parameters) : target;
    if (write.kind === 'copy' && 'query' in write.source)
      await this.#checkQuery(write.source.query, write.targetAt);
    return {
      rebuilt: { text: bindableText(rebuildStatement(write, resolved)), type: EXPECTED_TYPE[write.kind] },
    };
  }

  /** Refuses a statement DuckDB extracted (not one the guard rebuilt) whose type writes files. */
  checkType(type: number): void {
    if (this.options.enforce && FILE_TYPES.has(type))
      throw new Refusal(
        'this statement writes files in a form quire cannot check: run it as a statement of its own',
        0,
      );
  }

  /** The statement's tokens; undefined (run as written) when they cannot be read and nothing is enforced. */
  #tokens(text: string, parsed: boolean): Token[] | undefined {
    try {
      return tokenize(text);
    } catch (error) {
      if (!(error instanceof TokenizeError)) throw error;
      if (!this.options.enforce || !parsed) return undefined;
      // DuckDB parsed the text, so this tokenizer disagrees with it: refuse rather than guess.
      throw new Refusal(`quire cannot read this statement (${error.message}) to check where it writes`, 0);
    }
  }

  #parse(tokens: Token[], text: string, parsed: boolean): WriteStatement | undefined {
    if (tokens[0]?.kind !== 'word' || !FILE_STATEMENTS.has(tokens[0].value ?? '')) return undefined;
    try {
      return parseWriteStatement(tokens, text);
    } catch (error) {
      if (!(error instanceof UnsupportedStatement)) throw error;
      if (!this.options.enforce || !parsed) return undefined;
      throw new Refusal(error.message, error.at);
    }
  }

  async #targetValue(target: Target, parameters: readonly unknown[], at: number): Promise<string> {
    if (target.kind === 'literal') return target.value;
    if (target.kind === 'param') return parameterString(target.name, parameters, at);
    const prepared = await this.conn.prepare(bindableText(`SELECT CAST(${target.text} AS VARCHAR)`));
    try {
      bindParameters(prepared, parameters);
      const rows = (await prepared.runAndReadAll()).getRowsJS();
      const value = rows[0]?.[0];
      if (typeof value !== 'string')
        throw new Refusal(`the file name ${target.text} is ${String(value)}`, at);
      return value;
    } finally {
      prepared.destroySync();
    }
  }

  /**
   * The path the rebuilt statement names: a read keeps the target as written (DuckDB checks reads
   * itself); a write gets the real path, after a Refusal unless it lies under scratch.
   */
  #check(write: WriteStatement, target: string, parameters: readonly unknown[]): string {
    const reads =
      (write.kind === 'copy' && write.direction === 'from') ||
      (write.kind === 'attach' && (isInMemory(target) || isReadOnly(write.options)));
    if (reads) return target;
    if (hasScheme(target)) throw new Refusal(`SQL cells cannot write to ${target}`, write.targetAt);
    if (target.startsWith('~'))
      throw new Refusal(`'~' is not expanded in SQL cells: write to (scratch('…')) instead`, write.targetAt);
    const resolved = resolvePath(target);
    if (!isInside(resolved, this.options.scratch))
      throw new Refusal(outsideScratchMessage(write, target, resolved, this.options.scratch), write.targetAt);
    if (write.kind === 'copy') checkFileNameOptions(write.options, parameters, write.targetAt);
    return resolved;
  }

  /** The query of `COPY (query) TO` must parse on its own as one statement, or the rebuilt text could mean something else. */
  async #checkQuery(query: string, at: number): Promise<void> {
    const count = await this.conn.extractStatements(query).then(
      (extracted) => extracted.count,
      () => 0,
    );
    if (count !== 1)
      throw new Refusal('quire cannot read the query of this COPY to check where it writes', at);
  }
}

function parameterString(name: string, parameters: readonly unknown[], at: number): string {
  const index = parameterIndex(name);
  const value = index === undefined ? undefined : parameters[index - 1];
  if (typeof value !== 'string') throw new Refusal(`the file name parameter $${name} must be a string`, at);
  return value;
}

/** A name option that DuckDB joins to the target folder must not climb out of it. */
function checkFileNameOptions(options: StatementOption[], parameters: readonly unknown[], at: number): void {
  for (const option of options) {
    if (option.name !== 'filename_pattern' && option.name !== 'file_extension') continue;
    const value =
      option.value?.kind === 'literal'
        ? option.value.value
        : option.value?.kind === 'param'
          ? parameterString(option.value.name, parameters, at)
          : option.value?.kind === 'verbatim'
            ? option.value.text
            : undefined;
    if (value === undefined || /[/\\]/.test(value))
      throw new Refusal(`${option.name.toUpperCase()} must be a file name without / or \\`, at);
  }
}

function isInMemory(target: string): boolean {
  return target === '' || target.startsWith(':memory:');
}

/** `s3://…`, `https://…`, `md:…` (a drive letter such as `C:` is not a scheme). */
function hasScheme(target: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]+:/.test(target);
}

/**
 * The real path DuckDB would write: relative to the process cwd (as DuckDB resolves it), through
 * the symlinks of the part that exists already.
 */
export function resolvePath(target: string): string {
  let rest = '';
  let current = path.resolve(target);
  for (;;) {
    try {
      return path.join(fs.realpathSync(current), rest);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.join(current, rest);
      rest = path.join(path.basename(current), rest);
      current = parent;
    }
  }
}

function outsideScratchMessage(
  write: WriteStatement,
  target: string,
  resolved: string,
  scratch: string,
): string {
  const name = path.basename(resolved) || 'out';
  const what =
    write.kind === 'copy'
      ? `COPY … TO '${target}'`
      : write.kind === 'export'
        ? `EXPORT DATABASE '${target}'`
        : `ATTACH '${target}'`;
  const instead =
    write.kind === 'attach'
      ? `attach it (READ_ONLY), or attach (scratch('${name}'))`
      : `write to (scratch('${name}')) instead`;
  return `SQL cells may write files only under the scratch folder (${scratch}): ${what} would write ${resolved}; ${instead}`;
}
