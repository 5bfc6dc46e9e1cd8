/**
 * The run record (DESIGN §4): what `--json` prints and `manifest.json` holds. Built once, at the
 * end of a run, from the notebook, the params and what each cell did.
 */
import type { ParamValue } from '../format/types.js';
import type { Output } from '../outputs/types.js';
import type { RuntimeInfo } from './runtime-info.js';
import type { ExportLanguage } from '../protocol/languages.js';

export type RunStatus = 'ok' | 'error' | 'timeout';
export type CellRunStatus = 'ok' | 'error' | 'skipped';

export interface CellError {
  message: string;
  /** 1-based line relative to the cell's code (its first line is the line after the fence) */
  line?: number;
  /** the same line in the notebook file */
  fileLine?: number;
  column?: number;
  name?: string;
  /** `exception`, `timeout` (stopped at its limit) or `crash` (the kernel died) */
  kind?: 'exception' | 'timeout' | 'crash' | 'graph' | 'syntax';
  stack?: string;
}

export interface CellRecord {
  id: string;
  name?: string;
  language: ExportLanguage;
  /** the cell's first line in the notebook file */
  line: number;
  status: CellRunStatus;
  durationMs: number;
  outputs: Output[];
  error?: CellError;
  /** for a skipped cell: the upstream cell that failed, or `run=false` */
  skippedBecause?: string;
}

export interface RunRecord {
  id: string;
  status: RunStatus;
  params: Record<string, ParamValue>;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  notebook: { path: string; sha256: string; title?: string };
  runtime: RuntimeInfo;
  cells: CellRecord[];
  warnings: { message: string; line: number; column: number; cellId?: string }[];
  /** the names (never the values) of the secrets the run's cells read; absent when none */
  secrets?: string[];
  /** set when the whole run passed its `--timeout` */
  timedOut?: { limitMs: number };
  /**
   * what the cells recorded with `metric(name, value)`: the latest value of each name (the cells
   * taken in the order they ran), keys sorted; absent when none
   */
  metrics?: Record<string, number>;
}
