/**
 * `quire runs [FILE] [--json] [--sweep ID] [--status S] [--trigger T] [--limit N] [--db URL]`:
 * the run history of the workspace, or of one notebook, newest first. With `--sweep` the table
 * compares the sweep's runs: one column per param and per metric.
 */
import { RUN_STATES } from '../protocol/states.js';
import type { StoredRun } from '../store/types.js';
import { TRIGGERS } from '../store/types.js';
import { boolean, defineCommand, parsed, text, type Values } from './command.js';
import { InputError } from './errors.js';
import { formatDuration, formatTable, formatTime } from './format-table.js';
import { currentWorkspace, notebookKey, openCommandStore } from './store-access.js';

const HELP = `usage: quire runs [FILE] [--json] [--sweep ID] [--status STATUS] [--trigger TRIGGER] [--limit N] [--db URL]

  FILE               only the runs of this notebook
  --json             the runs as a JSON array
  --sweep ID         the runs of one sweep, compared: params, metrics, status, duration
  --status STATUS    queued, running, ok, error, timeout or cancelled
  --trigger TRIGGER  ${TRIGGERS.join(', ')}
  --limit N          at most N runs (default 50)
  --db URL           the run store (default: QUIRE_DB, else .quire/quire.db in the workspace)`;

const limitOf = (text: string, flag: string): number => {
  const limit = Number(text);
  if (!/^\d+$/.test(text.trim()) || limit < 1)
    throw new InputError(`${flag}: expected a whole number ≥ 1, got "${text}"`);
  return limit;
};

const options = {
  json: boolean(),
  sweep: text(),
  status: parsed((text, flag) => oneOf(flag, text, RUN_STATES)),
  trigger: parsed((text, flag) => oneOf(flag, text, TRIGGERS)),
  limit: parsed(limitOf),
  db: text(),
};

export const runsCommand = defineCommand({
  name: 'runs',
  help: HELP,
  positionals: { min: 0, max: 1, wrongCount: () => 'expected at most one notebook file' },
  options,
  run: (values, positionals) => runs(values, positionals[0]),
});

async function runs(values: Values<typeof options>, file: string | undefined): Promise<number> {
  const { status, trigger } = values;
  const limit = values.limit ?? (values.sweep ? 10_000 : 50);
  const key = file ? notebookKey(file) : undefined;
  const store = await openCommandStore(values.db, key?.workspace ?? currentWorkspace());
  try {
    const runs = await store.list({
      ...(key ? { path: key.path } : {}),
      ...(values.sweep ? { sweepId: values.sweep } : {}),
      ...(status ? { status } : {}),
      ...(trigger ? { trigger } : {}),
      limit,
    });
    if (values.json) process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
    else if (runs.length === 0)
      process.stderr.write(`no runs${key ? ` of ${key.path}` : ''} in ${store.db.label}\n`);
    else process.stdout.write((values.sweep ? sweepTable(runs) : runsTable(runs)) + '\n');
    return 0;
  } finally {
    await store.close();
  }
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new InputError(`${flag}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

const attemptText = (run: StoredRun): string =>
  run.maxAttempts > 1 || run.attempt > 1 ? `${run.attempt}/${run.maxAttempts}` : '';

export function runsTable(runs: StoredRun[]): string {
  return formatTable(
    ['RUN', 'NOTEBOOK', 'TRIGGER', 'STATUS', 'ATTEMPT', 'STARTED (UTC)', 'DURATION', 'ERROR'],
    runs.map((r) => [
      r.id,
      r.path,
      r.trigger,
      r.status,
      attemptText(r),
      formatTime(r.startedAt ?? r.createdAt),
      formatDuration(r.durationMs),
      (r.error ?? '').slice(0, 80),
    ]),
  );
}

/** One row per run of a sweep, one column per param and per metric, best first by nothing: run order. */
export function sweepTable(runs: StoredRun[]): string {
  const ordered = [...runs].reverse();
  const params = [...new Set(ordered.flatMap((r) => Object.keys(r.params)))];
  const metrics = [...new Set(ordered.flatMap((r) => Object.keys(r.metrics ?? {})))];
  return formatTable(
    ['RUN', ...params, ...metrics, 'STATUS', 'DURATION'],
    ordered.map((r) => [
      r.id,
      ...params.map((p) => (r.params[p] === undefined ? '' : String(r.params[p]))),
      ...metrics.map((m) => (r.metrics?.[m] === undefined ? '' : formatMetric(r.metrics[m]))),
      r.status,
      formatDuration(r.durationMs),
    ]),
  );
}

const formatMetric = (value: number): string =>
  Number.isInteger(value)
    ? String(value)
    : Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6
      ? value.toPrecision(6)
      : value.toExponential(4);
