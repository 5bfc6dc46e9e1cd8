/**
 * DuckDB error -> the Error a SQL cell reports: DuckDB's own message, plus `line` relative to the
 * cell, plus what the cell's author can do about the errors the kernel's limits cause. DuckDB's
 * `LINE n:` counts from the start of the statement we sent it, so the statement's own line in the
 * cell is added; without a marker the statement's first line is the best guess. A guard refusal
 * carries the offset of the token that decided it.
 * - out of memory: names the limit (the advice DuckDB appends, `SET memory_limit` and the like,
 *   cannot be followed: the configuration is locked);
 * - a write into the read-only workspace (OS sandbox: EROFS) points at the scratch folder;
 * - a Permission Error on a path says why that path is closed (hidden, new at the root, outside).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isInside, type AllowList } from './allow-list.js';
import type { MemorySettings } from './duckdb-lockdown.js';
import { Refusal } from './sql-screen.js';

export interface SqlError extends Error {
  /** 1-based line in the cell */
  line?: number;
}

/** What the engine knows about its limits, to explain errors they cause. */
export interface ErrorContext {
  workspace: string;
  scratch: string;
  hidden: readonly string[];
  /** paths the kernel's user was not granted */
  ungranted?: readonly string[];
  allow?: AllowList;
  memory?: MemorySettings;
}

/**
 * An error in one of the statements DuckDB generated from a PIVOT or UNPIVOT: its `LINE n` counts
 * lines of DuckDB's generated SQL, not of the cell, so only the statement's own line is known.
 */
export class GeneratedStatementError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const LINE_MARKER = /\bLINE (\d+):/;

/** The line in the cell that a DuckDB message points at, given where its statement starts. */
export function lineFromMessage(message: string, statementLine: number): number {
  const match = LINE_MARKER.exec(message);
  return match ? statementLine + Number(match[1]) - 1 : statementLine;
}

/**
 * The cell's error for `error`, raised by the statement at `statementLine` whose text (as sent) is
 * `text`.
 */
export function sqlError(
  error: unknown,
  statementLine?: number,
  text?: string,
  context?: ErrorContext,
): SqlError {
  const raw = error instanceof Error ? error.message : String(error);
  const message = explain(raw.replace(/^Failed to extract statements: /, ''), context);
  const out: SqlError = new Error(message);
  out.name = 'SqlError';
  if (statementLine !== undefined) {
    out.line =
      error instanceof Refusal && (error.source ?? text) !== undefined
        ? statementLine + newlinesBefore(error.source ?? text ?? '', error.at)
        : error instanceof GeneratedStatementError
          ? statementLine
          : lineFromMessage(message, statementLine);
  }
  return out;
}

function newlinesBefore(text: string, offset: number): number {
  let lines = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) lines += 1;
  return lines;
}

function explain(message: string, context: ErrorContext | undefined): string {
  if (/^Out of Memory Error/.test(message)) return outOfMemory(message, context?.memory);
  if (/PIVOT statements with pivot elements extracted from the data cannot have parameters/.test(message))
    return `${message}\nOr filter first: CREATE TEMP TABLE t AS SELECT … WHERE … = \${…}; then PIVOT t ON ….`;
  if (/Read-only file system/i.test(message))
    return `${message}\nThe workspace is read-only for SQL cells: write under the scratch folder instead, e.g. COPY … TO (scratch('out.parquet')).`;
  const denied = /^Permission Error: Cannot access (?:file|directory) "([^"]*)"/.exec(message);
  if (denied && context) return `${message}\n${permissionHint(denied[1] ?? '', context)}`;
  return message;
}

function outOfMemory(message: string, memory: MemorySettings | undefined): string {
  const first = message.split('\n')[0] ?? message;
  if (!memory) return `out of memory: ${first}`;
  if (/max_temp_directory_size/.test(message))
    return `out of memory (DuckDB limit ${memory.memoryMb} MiB, and its spill files in scratch reached their limit of ${memory.spillMb} MiB): ${first}`;
  return `out of memory (DuckDB limit ${memory.memoryMb} MiB): ${first}\nReduce the data the query holds at once (filter or aggregate earlier, select fewer columns), or give the kernel more memory.`;
}

function permissionHint(file: string, context: ErrorContext): string {
  const resolved = path.resolve(file.replace(/^file:\/\//, ''));
  const real = realOrSelf(resolved);
  const inside = (h: string) => isInside(resolved, h) || isInside(real, h);
  const ungranted = context.ungranted?.find(inside);
  if (ungranted !== undefined)
    return `${displayed(ungranted, context.workspace)} is not granted to this notebook's user: their kernel cannot read it.`;
  const hidden = context.hidden.find(inside);
  if (hidden)
    return `${path.basename(hidden)}/ is hidden from SQL cells (it holds the run store or the git repository).`;
  if (/[*?[{]/.test(file) && path.dirname(resolved) === context.workspace)
    return 'A pattern directly at the workspace root cannot be read from SQL (the root holds hidden folders): put the files in a folder and read folder/*.';
  if (!isInside(real, context.workspace) && !isInside(real, context.scratch))
    return 'SQL cells read only the workspace (not through symlinks that leave it) and the scratch folder.';
  if (path.dirname(resolved) === context.workspace && context.allow)
    return "Files and folders created at the workspace root after the kernel started cannot be read from SQL until the kernel restarts; SQL cells write only under the scratch folder (scratch('name')).";
  return 'SQL cells cannot open this path.';
}

/** A workspace path as a user names it: `team/`, or the workspace itself. */
function displayed(p: string, workspace: string): string {
  const relative = path.relative(workspace, p);
  if (relative === '') return 'the workspace';
  let folder = false;
  try {
    folder = fs.statSync(p).isDirectory();
  } catch {
    // Without the OS sandbox the kernel may not even look at it.
  }
  return relative.split(path.sep).join('/') + (folder ? '/' : '');
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
