/**
 * `quire sweep FILE -p a=1,2,3 -p b=x,y [--parallel N] [--timeout D] [--json] [--db URL]`
 * (DESIGN §4): the cartesian grid of the given values, each combination one run (trigger `sweep`,
 * one sweep id) in its own kernel, at most N at a time; then the runs compared side by side. The
 * whole grid is checked before the first run starts; the file is read once, so every run of the
 * sweep runs the same source even if the file is edited meanwhile.
 */
import { dirname, relative } from 'node:path';
import type { ParamValue } from '../format/types.js';
import type { LoadedNotebook } from '../runner/load.js';
import type { RunRecord } from '../runner/record.js';
import type { RunStore } from '../store/run-store.js';
import type { StoredRun } from '../store/types.js';
import {
  boolean,
  defineCommand,
  duration,
  exitOnSignals,
  list,
  loadNotebookFile,
  runEdge,
  text,
  wholeNumber,
} from './command.js';
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

export const sweepCommand = defineCommand({
  name: 'sweep',
  help: HELP,
  positionals: { min: 1, max: 1, wrongCount: (n) => `expected one notebook file, got ${n}` },
  options: {
    param: list('p'),
    parallel: wholeNumber(
      {
        min: 1,
        max: MAX_PARALLEL,
        message: (flag, text) => `${flag}: expected a whole number from 1 to ${MAX_PARALLEL}, got "${text}"`,
      },
      1,
    ),
    timeout: duration(),
    json: boolean(),
    db: text(),
  },
  async run(values, [file]) {
    const axes = parseAxes(values.param);
    if (axes.length === 0) throw new InputError(`expected at least one -p name=v1,v2,…\n${HELP}`);
    const { checkDbFlag } = await import('./store-access.js');
    checkDbFlag(values.db);
    const loaded = await loadNotebookFile(file!);
    const [{ paramInputError, warningLines }, { heapMbFromEnv }] = await Promise.all([
      import('../runner/load.js'),
      import('../runner/limits.js'),
    ]);
    let grid: Record<string, ParamValue>[];
    try {
      grid = planSweep(loaded.notebook.frontMatter?.params ?? [], axes);
    } catch (error) {
      throw paramInputError(loaded, error);
    }
    heapMbFromEnv();
    for (const warning of warningLines(loaded)) warn(warning);
    const { parallel, timeout: timeoutMs, json, db } = values;
    return sweep({ file: file!, loaded, axes, grid, parallel, timeoutMs, json, db });
  },
});

interface SweepPlan {
  file: string;
  loaded: LoadedNotebook;
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
  const [
    { runNotebook },
    { cliRecording },
    { failureSummary, storedRunOf },
    { findWorkspace },
    { newSweepId },
    { cliSecretTrail },
  ] = await Promise.all([
    import('../runner/run.js'),
    import('./recording.js'),
    import('../runner/recorder.js'),
    import('../runner/workspace.js'),
    import('../shared/ids.js'),
    import('./audit-trail.js'),
  ]);
  const sweepId = newSweepId();
  const workspace = findWorkspace(dirname(plan.loaded.absolutePath));
  const edge = await runEdge({ db: plan.db, workspace });
  const store = await openSweepStore(plan.db, workspace);
  // Each secret a cell of any run is given is a `secret.read`, written through the sweep's store.
  const trail = cliSecretTrail(plan.db, workspace, edge.secrets, store);
  const inFlight = new Set<string>();
  let stopping = false;
  // No new run starts, the running ones are marked cancelled, then the kernels are killed on exit.
  exitOnSignals('sweep', async (signal) => {
    stopping = true;
    // The runs still going are cancelled in the store; process.exit then kills their kernels.
    await Promise.all([
      ...[...inFlight].map((id) =>
        store?.finish(id, 1, { status: 'cancelled', error: `the sweep was stopped by ${signal}` }),
      ),
      trail.close(),
    ]);
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
        notebook: asRunOf(plan.loaded),
        workspace,
        params,
        paramSource: 'json',
        limits: plan.timeoutMs !== undefined ? { timeoutMs: plan.timeoutMs } : {},
        ...edge,
        secrets: trail.secrets,
        recorder: {
          started: (run) => {
            inFlight.add(run.id);
            recording?.started(run);
          },
          finished: async ({ record }) => {
            inFlight.delete(record.id);
            await recording?.finish(record);
          },
        },
      });
      outcome = { params, record: result.record };
    } catch (error) {
      // Input was checked up front: what is thrown now is a fault of this run alone.
      outcome = { params, failure: error instanceof Error ? error.message : String(error) };
    }
    outcomes[index] = outcome;
    finished++;
    if (!stopping) progressLine(finished, total, plan.axes, outcome, failureSummary);
  };
  await pool(total, plan.parallel, runOne, () => stopping);
  await trail.close();
  const ran = outcomes.filter((o): o is Outcome => o !== undefined);
  const rows = ran.map((o) => asStoredRun(o, sweepId, storedRunOf));
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

/** Every run runs the text read once at the start, under the path `quire run` would name. */
function asRunOf(loaded: LoadedNotebook): LoadedNotebook {
  const displayPath = relative(process.cwd(), loaded.absolutePath) || loaded.absolutePath;
  return { ...loaded, displayPath, notebook: { ...loaded.notebook, path: displayPath } };
}

/** A run as `quire runs --json` shows it: from its record, or a placeholder for a run that could not run. */
function asStoredRun(
  outcome: Outcome,
  sweepId: string,
  fromRecord: (record: RunRecord, run: { trigger: 'sweep'; sweepId: string }) => StoredRun,
): StoredRun {
  const { record } = outcome;
  if (record) return fromRecord(record, { trigger: 'sweep', sweepId });
  const base = { id: '-', path: '', sha256: '', trigger: 'sweep' as const, status: 'error' as const };
  return { ...base, params: outcome.params, createdAt: Date.now(), attempt: 0, maxAttempts: 1, sweepId };
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
