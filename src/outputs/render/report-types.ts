/** The input of a report: a finished run as the runner records it (DESIGN §4), outputs already prepared. */
import type { ErrorData, Output } from '../types.js';
import type { CodeLanguage } from '../../protocol/languages.js';

export interface ReportInput {
  title: string;
  notebookPath: string;
  status: 'ok' | 'error' | 'timeout';
  /** ISO timestamp; shown in UTC */
  startedAt: string;
  durationMs: number;
  params: Record<string, unknown>;
  /** node, quire, duckdb versions and the like; shown folded */
  runtime?: Record<string, unknown>;
  /** every cell in document order */
  cells: ReportCell[];
}

export interface ReportCell {
  id: string;
  kind: 'code' | 'prose';
  language?: CodeLanguage;
  name?: string;
  source: string;
  /** false hides the code (the `echo=false` attribute); outputs are still shown */
  echo: boolean;
  status?: 'ok' | 'error' | 'skipped';
  durationMs?: number;
  /** for a prose cell, a `text/markdown` output is its source with interpolations filled */
  outputs: Output[];
  error?: ErrorData;
  /** the name or id of the upstream cell whose failure skipped this one */
  skippedBecause?: string;
}
