/**
 * What of a run record is user content, field by field (DESIGN §6): the plans that redact a record
 * before it is printed, written, stored or sent. Redacted: cell outputs (every MIME's data, deep),
 * error messages, names and stacks, warnings, param values, metric names, the notebook's title.
 * Never rewritten: ids, statuses, languages, lines, durations, timestamps, hashes, paths, versions,
 * cell names, secret names, MIME types, stream names.
 *
 * Params are redacted (values, not names): a param is given by whoever starts the run and may be a
 * secret passed on the command line, and the record is what gets shared (manifest.json in CI
 * artifacts, report.html). The run store's own row keeps the params as given (written when the run
 * starts, before any secret is known): `quire rerun` needs the exact values.
 *
 * Each plan is typed `RedactPlan<…>` of its record type: a field added to the record without a
 * rule here does not compile.
 */
import { OUTPUT_PLAN, rules, type RedactPlan, type Redactor, redactWith } from '../outputs/redact.js';
import type { CellError, CellRecord, RunRecord } from './record.js';

const CELL_ERROR_PLAN: RedactPlan<CellError> = {
  message: rules.text,
  line: 'keep',
  fileLine: 'keep',
  column: 'keep',
  // user code can name its errors anything
  name: rules.text,
  kind: 'keep',
  stack: rules.text,
};

const CELL_PLAN: RedactPlan<CellRecord> = {
  id: 'keep',
  // a name is an identifier in the source, like the path: what the source says, not what ran
  name: 'keep',
  language: 'keep',
  line: 'keep',
  status: 'keep',
  durationMs: 'keep',
  outputs: rules.each(OUTPUT_PLAN),
  error: rules.nested(CELL_ERROR_PLAN),
  // the upstream cell's id, `run=false`, `not run`, `interrupted`…
  skippedBecause: 'keep',
};

type Warning = RunRecord['warnings'][number];

const WARNING_PLAN: RedactPlan<Warning> = {
  message: rules.text,
  line: 'keep',
  column: 'keep',
  cellId: 'keep',
};

type NotebookInfo = RunRecord['notebook'];

const NOTEBOOK_PLAN: RedactPlan<NotebookInfo> = {
  path: 'keep',
  sha256: 'keep',
  // free text shown as the report's heading
  title: rules.text,
};

const RUN_PLAN: RedactPlan<RunRecord> = {
  id: 'keep',
  status: 'keep',
  params: rules.values,
  startedAt: 'keep',
  finishedAt: 'keep',
  durationMs: 'keep',
  notebook: rules.nested(NOTEBOOK_PLAN),
  // versions, the platform, the lockfile's path and sha256
  runtime: 'keep',
  cells: rules.each(CELL_PLAN),
  warnings: rules.each(WARNING_PLAN),
  // names, never values
  secrets: 'keep',
  timedOut: 'keep',
  metrics: rules.keys,
};

/** The record with every string of user content redacted and every field of its own kept. */
export const redactRunRecord = (record: RunRecord, redactor: Redactor): RunRecord =>
  redactWith(record, RUN_PLAN, redactor);

/** One cell's record (progress lines, as each cell finishes). */
export const redactCellRecord = (cell: CellRecord, redactor: Redactor): CellRecord =>
  redactWith(cell, CELL_PLAN, redactor);

/** The plans, for tests that check every field of a real record has a rule. */
export const RECORD_PLANS = { run: RUN_PLAN, cell: CELL_PLAN, error: CELL_ERROR_PLAN, warning: WARNING_PLAN };
