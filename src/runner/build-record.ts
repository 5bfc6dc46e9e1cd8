/**
 * Builds the run record (DESIGN §4) from the engine's final state and the session's results.
 * Pure apart from reading the clock-free inputs it is given.
 */
import type { EngineState } from '../engine/state/index.js';
import type { CellResult } from '../engine/engine.js';
import { formatDuration } from '../format/index.js';
import type { Cell, FormatWarning, Notebook, ParamValue } from '../format/types.js';
import type { CellError, CellRecord, RunRecord } from './record.js';
import type { RuntimeInfo } from './runtime-info.js';
import { CELL_LANGUAGES, cellLanguage } from '../protocol/languages.js';

export interface RecordInput {
  id: string;
  notebook: Notebook;
  source: string;
  sha256: string;
  path: string;
  params: Record<string, ParamValue>;
  started: Date;
  durationMs: number;
  runtime: RuntimeInfo;
  state: EngineState;
  results: ReadonlyMap<string, CellResult>;
  warnings: FormatWarning[];
  timedOut?: { limitMs: number; stoppedCell: string | null };
  /** names of the secrets the run read */
  secrets?: string[];
}

/** Cells that appear in the record: code cells, and prose that has `${…}` to render. */
export const isRecorded = (cell: Cell): boolean => cell.kind === 'code' || cell.interpolations.length > 0;

const languageOf = (cell: Cell): CellRecord['language'] => CELL_LANGUAGES[cellLanguage(cell)].exportName;
const codeLine = (cell: Cell): number => (cell.kind === 'code' ? cell.sourceLine : cell.line);

function cellError(cell: Cell, state: EngineState): CellError | undefined {
  const runtime = state.runtime.get(cell.id);
  if (!runtime?.error) return undefined;
  const { error, failure } = runtime;
  const kind = failure === 'static' ? (state.graph.errors.has(cell.id) ? 'graph' : 'syntax') : failure;
  const line = error.line ?? (kind === 'graph' ? graphErrorLine(cell, state) : undefined);
  return {
    message: error.message,
    ...(error.name ? { name: error.name } : {}),
    ...(line !== undefined ? { line, fileLine: codeLine(cell) + line - 1 } : {}),
    ...(error.column !== undefined ? { column: error.column } : {}),
    ...(kind ? { kind } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
  };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The graph reports duplicates and cycles by name, not position: the line (in the cell's code) of
 * the first mention of the name at fault — the duplicated name, or for a cycle a name defined by
 * the next cell on it. Line 1 when the name is not in the code (a SQL cell's `name=` attribute).
 */
function graphErrorLine(cell: Cell, state: EngineState): number {
  const first = state.graph.errors.get(cell.id)?.[0];
  if (!first) return 1;
  const names =
    first.kind === 'duplicate' ? [first.name] : (state.analyses.get(first.path[1] ?? '')?.declarations ?? []);
  const lines = cell.source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (names.some((name) => new RegExp(`(^|[^\\w$])${escapeRegExp(name)}($|[^\\w$])`).test(text)))
      return i + 1;
  }
  return 1;
}

/** One cell's record; undefined for prose without interpolations. */
function cellRecord(
  cell: Cell,
  state: EngineState,
  results: ReadonlyMap<string, CellResult>,
  timedOut?: RecordInput['timedOut'],
): CellRecord | undefined {
  if (!isRecorded(cell)) return undefined;
  const runtime = state.runtime.get(cell.id);
  const result = results.get(cell.id);
  const base = {
    id: cell.id,
    ...(cell.kind === 'code' && cell.attributes.name ? { name: cell.attributes.name } : {}),
    language: languageOf(cell),
    line: cell.line,
    durationMs: Math.round((result?.durationMs ?? 0) * 100) / 100,
    outputs: result?.outputs ?? [],
  };
  const status = runtime?.status;
  if (status === 'ok') return { ...base, status: 'ok' };
  if (status === 'error') {
    const error = cellError(cell, state);
    if (timedOut && timedOut.stoppedCell === cell.id && error) {
      error.kind = 'timeout';
      error.name = 'TimeoutError';
      error.message = `stopped: the run passed its time limit of ${formatDuration(timedOut.limitMs)}`;
    }
    return { ...base, status: 'error', ...(error ? { error } : {}) };
  }
  return { ...base, status: 'skipped', skippedBecause: skipReason(cell, runtime?.skippedBecause, timedOut) };
}

function skipReason(cell: Cell, because: string | undefined, timedOut: RecordInput['timedOut']): string {
  if (because) return because;
  if (cell.kind === 'code' && !cell.attributes.run) return 'run=false';
  if (timedOut) return 'run time limit';
  return 'not run';
}

export function buildRecord(input: RecordInput): RunRecord {
  const cells = input.notebook.cells
    .map((cell) => cellRecord(cell, input.state, input.results, input.timedOut))
    .filter((c): c is CellRecord => c !== undefined);
  const anyTimeout = input.timedOut !== undefined || cells.some((c) => c.error?.kind === 'timeout');
  const anyError = cells.some((c) => c.status === 'error');
  const finished = new Date(input.started.getTime() + input.durationMs);
  const title = input.notebook.frontMatter?.title;
  return {
    id: input.id,
    status: anyTimeout ? 'timeout' : anyError ? 'error' : 'ok',
    params: input.params,
    startedAt: input.started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: Math.round(input.durationMs),
    notebook: { path: input.path, sha256: input.sha256, ...(title ? { title } : {}) },
    runtime: { ...input.runtime, ...engineVersions(input.results) },
    cells,
    warnings: input.warnings.map(({ message, line, column, cellId }) => ({
      message,
      line,
      column,
      ...(cellId ? { cellId } : {}),
    })),
    ...(input.secrets && input.secrets.length > 0 ? { secrets: [...input.secrets].sort() } : {}),
    ...(input.timedOut ? { timedOut: { limitMs: input.timedOut.limitMs } } : {}),
    ...runMetrics(input.results),
  };
}

/** The run's metrics: every execution's, in the order they ran, so the latest value of a name wins. */
function runMetrics(results: ReadonlyMap<string, CellResult>): { metrics?: Record<string, number> } {
  const executions = [...results.values()].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const merged = new Map<string, number>();
  for (const execution of executions)
    for (const [name, value] of execution.metrics ?? []) merged.set(name, value);
  // Keys sorted by name, not by which cell happened to record first: equal runs give equal records.
  const sorted = [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.length > 0 ? { metrics: Object.fromEntries(sorted) } : {};
}

/** Versions the kernel reported while running (e.g. the DuckDB engine), merged. */
function engineVersions(results: ReadonlyMap<string, CellResult>): { engines?: Record<string, string> } {
  const engines: Record<string, string> = {};
  for (const result of results.values()) Object.assign(engines, result.versions ?? {});
  return Object.keys(engines).length > 0 ? { engines } : {};
}

buildRecord.cell = (
  cell: Cell,
  state: EngineState,
  results: ReadonlyMap<string, CellResult>,
  timedOut?: RecordInput['timedOut'],
) => cellRecord(cell, state, results, timedOut);
