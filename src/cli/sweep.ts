/**
 * `quire sweep FILE -p a=1,2,3 -p b=x,y [--parallel N] [--timeout D] [--json] [--db URL]`
 * (DESIGN §4): the cartesian grid of the given values, each combination one run (trigger `sweep`,
 * one sweep id) in its own kernel, at most N at a time; then the runs compared side by side. The
 * whole grid is checked before the first run starts; the file is read once, so every run of the
 * sweep runs the same source even if the file is edited meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { NotebookParseError, ParamError } from '../format/errors.js';
import { parseDuration, parseNotebook } from '../format/index.js';
import type { Notebook, ParamValue } from '../format/types.js';
import type { RunRecord } from '../runner/record.js';
import type { RunStore } from '../store/run-store.js';
import type { StoredRun } from '../store/types.js';
import { parseCommandArgs } from './args.js';
import { EXIT, InputError } from './errors.js';
import { formatDuration } from './format-table.js';
import { describeCombination, parseAxes, planSweep, type Axis } from './sweep-grid.js';

const HELP = `usage: quire sweep FILE -p name=v1,v2,… [-p name=…]… [--parallel N] [--timeout DURATION] [--json] [--db URL]

  -p, --param name=v1,v2,…  the values of one param (repeatable); the sweep runs every combination.
                            \\, is a comma inside a value. Params not given take their defaults.
  --parallel N              at most N runs at a time, each in its own kernel (default 1)
  --timeout DURATION        a limit for each run, e.g. 90s, 10m
  --json                    print {sweepId, runs} as JSON on stdout instead of the table
  --db URL                  the run store (default: QUIRE_DB, else .quire/quire.db in the workspace)

Cells record numbers to compare with metric(name, value). See the sweep again: quire runs --sweep ID

exit codes: 0 every run ok · 1 a run failed · 2 bad input · 3 a run passed a time limit`;

/** More kernels than this at once is a typo, not a plan (each may take gigabytes). */
const MAX_PARALLEL = 256;

interface Loaded {
  notebook: Notebook;
  source: string;
  /** the file, real path resolved: how `quire run` names it in the store */
  realFile: string;
  warnings: string[];
}

export async function sweepCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      param: { type: 'string', short: 'p', multiple: true },
      parallel: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new InputError(`expected one notebook file, got ${positionals.length}\n${HELP}`);
  const file = positionals[0]!;
  const axes = parseAxes(values.param);
  if (axes.length === 0) throw new InputError(`expected at least one -p name=v1,v2,…\n${HELP}`);
  const parallel = values.parallel === undefined ? 1 : parseParallel(values.parallel);
  const timeoutMs = values.timeout === undefined ? undefined : parseTimeout(values.timeout);
  const { checkDbFlag } = await import('./store-access.js');
  checkDbFlag(values.db);
  const loaded = await loadNotebook(file);
  let grid: Record<string, ParamValue>[];
  try {
    grid = planSweep(loaded.notebook.frontMatter?.params ?? [], axes);
  } catch (error) {
    if (error instanceof ParamError) throw new InputError(`${file}: ${error.message}`);
    throw error;
  }
  const { heapMbFromEnv, RunInputError } = await import('../runner/run.js');
  try {
    heapMbFromEnv();
  } catch (error) {
    if (error instanceof RunInputError) throw new InputError(error.message);
    throw error;
  }
  for (const warning of loaded.warnings) warn(warning);
  return sweep({ file, loaded, axes, grid, parallel, timeoutMs, json: values.json === true, db: values.db });
}

interface SweepPlan {
  file: string;
  loaded: Loaded;
  axes: Axis[];
  grid: Record<string, ParamValue>[];
  parallel: number;
  timeoutMs: number | undefined;
  json: boolean;
  db: string | undefined;
}

/** One combination's outcome: its record, or why it could not run at all. */
interface Outcome {
  params: Record<string, ParamValue>;
  record?: RunRecord;
  failure?: string;
}

async function sweep(plan: SweepPlan): Promise<number> {
  const { runNotebook } = await import('../runner/run.js');
  const { cliRecording } = await import('./recording.js');
  const { failureSummary } = await import('../runner/recorder.js');
  const { findWorkspace } = await import('../runner/workspace.js');
  const sweepId = newSweepId();
  const workspace = findWorkspace(dirname(plan.loaded.realFile));
  const store = await openSweepStore(plan.db, workspace);
  const inFlight = new Set<string>();
  let stopping = false;
  stopOnSignals(async (signal) => {
    stopping = true;
    // The runs still going are cancelled in the store; process.exit then kills their kernels.
    await Promise.all(
      [...inFlight].map((id) =>
        store?.finish(id, 1, { status: 'cancelled', error: `the sweep was stopped by ${signal}` }),
      ),
    );
  });
  const total = plan.grid.length;
  const shape = plan.axes.map((a) => `${a.values.length} ${a.name}`).join(' × ');
  process.stderr.write(
    `sweep ${sweepId}: ${total} run${total === 1 ? '' : 's'} of ${plan.file} (${shape}), ${plan.parallel} at a time\n`,
  );
  const outcomes: Outcome[] = new Array<Outcome>(total);
  let finished = 0;
  const started = performance.now();
  const runOne = async (index: number): Promise<void> => {
    const params = plan.grid[index]!;
    const recording = store ? cliRecording(plan.db, { trigger: 'sweep', sweepId, store, warn }) : undefined;
    let outcome: Outcome;
    try {
      const result = await runNotebook({
        path: relative(process.cwd(), plan.loaded.realFile) || plan.loaded.realFile,
        source: plan.loaded.source,
        workspace,
        params,
        paramSource: 'json',
        ...(plan.timeoutMs !== undefined ? { timeoutMs: plan.timeoutMs } : {}),
        onStarted: (run) => {
          inFlight.add(run.id);
          recording?.onStarted(run);
        },
      });
      outcome = { params, record: result.record };
      inFlight.delete(result.record.id);
      await recording?.finish(result.record);
    } catch (error) {
      // Input was checked up front: what is thrown now is a fault of this run alone.
      outcome = { params, failure: error instanceof Error ? error.message : String(error) };
    }
    outcomes[index] = outcome;
    finished++;
    if (!stopping) progressLine(finished, total, plan.axes, outcome, failureSummary);
  };
  await pool(total, plan.parallel, runOne, () => stopping);
  const ran = outcomes.filter((o): o is Outcome => o !== undefined);
  const rows = ran.map((o) => asStoredRun(o, sweepId, failureSummary));
  if (plan.json) process.stdout.write(JSON.stringify({ sweepId, runs: rows }, null, 2) + '\n');
  else {
    const { sweepTable } = await import('./runs.js');
    // sweepTable takes runs newest first, as the store lists them; ours are in grid order.
    process.stdout.write(sweepTable([...rows].reverse()) + '\n');
  }
  await store?.close().catch(() => undefined);
  const count = (status: string) => rows.filter((r) => r.status === status).length;
  process.stderr.write(
    `sweep ${sweepId}: ${count('ok')} ok, ${count('error')} failed, ${count('timeout')} timed out in ${formatDuration(performance.now() - started)}\n`,
  );
  if (store) process.stderr.write(`compare again: quire runs --sweep ${sweepId}\n`);
  return count('timeout') > 0 ? EXIT.timeout : count('error') > 0 ? EXIT.failed : EXIT.ok;
}

/** Runs `work(0…count-1)`, at most `limit` at once, starting no new work once `stopped()`. */
async function pool(
  count: number,
  limit: number,
  work: (index: number) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count && !stopped()) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

/** A run as `quire runs --json` shows it, from its record (no store needed). */
function asStoredRun(
  outcome: Outcome,
  sweepId: string,
  summary: (record: RunRecord) => string | undefined,
): StoredRun {
  const { record } = outcome;
  if (!record) {
    const base = { id: '-', path: '', sha256: '', trigger: 'sweep' as const, status: 'error' as const };
    return { ...base, params: outcome.params, createdAt: Date.now(), attempt: 0, maxAttempts: 1, sweepId };
  }
  const startedAt = Date.parse(record.startedAt);
  const error = summary(record);
  return {
    id: record.id,
    path: record.notebook.path,
    sha256: record.notebook.sha256,
    ...(record.notebook.title ? { title: record.notebook.title } : {}),
    trigger: 'sweep',
    status: record.status,
    params: record.params,
    createdAt: startedAt,
    startedAt,
    finishedAt: Date.parse(record.finishedAt),
    durationMs: record.durationMs,
    attempt: 1,
    maxAttempts: 1,
    ...(error ? { error } : {}),
    sweepId,
    ...(record.metrics ? { metrics: record.metrics } : {}),
  };
}

function progressLine(
  finished: number,
  total: number,
  axes: Axis[],
  outcome: Outcome,
  summary: (record: RunRecord) => string | undefined,
): void {
  const { record } = outcome;
  const status = record?.status ?? 'error';
  const mark = status === 'ok' ? '✓' : '✗';
  const metrics = Object.entries(record?.metrics ?? {})
    .map(([name, value]) => `${name}=${Number(value.toPrecision(6))}`)
    .join(' ');
  const why = record ? summary(record) : outcome.failure;
  const parts = [
    `${mark} [${String(finished).padStart(String(total).length)}/${total}] ${describeCombination(axes, outcome.params)}`,
    `${status} in ${formatDuration(record?.durationMs ?? 0)}`,
    ...(record ? [record.id] : []),
    ...(metrics ? [metrics] : []),
    ...(why ? [why] : []),
  ];
  process.stderr.write(parts.join(' · ') + '\n');
}

const warn = (message: string): void => void process.stderr.write(`warning: ${message}\n`);

const newSweepId = (at = new Date()): string =>
  `sweep-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;

async function loadNotebook(file: string): Promise<Loaded> {
  let realFile: string;
  let source: string;
  try {
    realFile = await realpath(file);
    source = await readFile(realFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(error)}`,
    );
  }
  try {
    const parsed = parseNotebook(source, { path: file });
    const warnings = parsed.warnings.map((w) => `${file}:${w.line}:${w.column}: ${w.message}`);
    return { notebook: parsed.notebook, source, realFile, warnings };
  } catch (error) {
    if (error instanceof NotebookParseError) throw new InputError(error.message);
    throw error;
  }
}

/**
 * One store for every run of the sweep (runs in one process must share one SQLite connection).
 * A store that cannot be opened does not stop the sweep: the runs still run and are compared here.
 */
async function openSweepStore(db: string | undefined, workspace: string): Promise<RunStore | undefined> {
  const { openStore } = await import('../store/open.js');
  try {
    return await openStore({ ...(db ? { url: db } : {}), workspace, poolSize: 4 });
  } catch (error) {
    warn(`the runs of this sweep are not recorded in the run store: ${(error as Error).message}`);
    return undefined;
  }
}

function parseParallel(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > MAX_PARALLEL)
    throw new InputError(`--parallel: expected a whole number from 1 to ${MAX_PARALLEL}, got "${text}"`);
  return n;
}

function parseTimeout(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new InputError(`--timeout: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (ms <= 0) throw new InputError(`--timeout: the limit must be more than zero, got "${text}"`);
  return ms;
}

/**
 * Ctrl-C, `kill` or a closed terminal: no new run starts, the running ones are marked cancelled
 * (for at most 2 s), then `process.exit`, whose hook kills the kernels' process groups (they are
 * detached, so the signal never reaches them). A second signal exits at once.
 */
function stopOnSignals(onStop: (signal: NodeJS.Signals) => Promise<unknown>): void {
  const codes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  let stopping = false;
  for (const [name, code] of Object.entries(codes)) {
    const signal = name as NodeJS.Signals;
    process.on(signal, () => {
      if (stopping) process.exit(code);
      stopping = true;
      process.stderr.write(`quire sweep: stopped by ${signal}\n`);
      const deadline = new Promise((resolve) => setTimeout(resolve, 2000).unref());
      void Promise.race([onStop(signal).catch(() => undefined), deadline]).then(() => process.exit(code));
    });
  }
}
