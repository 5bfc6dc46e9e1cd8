/**
 * A headless run of one notebook: parse, check params, run every cell in a fresh kernel, and
 * build the run record. Used alike by `quire run`, and later by the scheduler and the workers.
 *
 * Bad input (a missing file, a parse error, a bad param) throws RunInputError before any kernel
 * starts; everything that happens once cells run is in the record, never thrown.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { NotebookParseError, ParamError } from '../format/errors.js';
import { parseNotebook, resolveParams } from '../format/index.js';
import type { Cell, FormatWarning, Notebook, ParamValue } from '../format/types.js';
import { ProcessKernel } from '../kernel/host.js';
import type { Redactor } from '../outputs/redact.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { redactAcrossChunks } from '../secrets/stream-tail.js';
import { EnvSecretSource, type SecretSource } from '../secrets/source.js';
import type { CellRecord, RunRecord } from './record.js';
import { runtimeInfo, sha256 } from './runtime-info.js';
import { findWorkspace } from './workspace.js';
import { LateConnections, startKernel, type Prestarted } from './prestart.js';
import { CELL_LANGUAGES } from '../protocol/languages.js';

/** Bad input: exit code 2. The message names the file (and the line, the param). */
export class RunInputError extends Error {
  override readonly name = 'RunInputError';
}

export interface RunRequest {
  /** a kernel started for this file before the runner loaded (see prestart.ts); adopted or shut down */
  prestarted?: Prestarted;
  path: string;
  /**
   * The exact text to run as if it were the file at `path` (a rerun, a queued run carrying its
   * source): the file is not read, and need not exist; its folder is the kernel's working folder
   * when it exists, else `workspace`.
   */
  source?: string;
  /** the run id to use (the store assigned it when the run was queued) */
  id?: string;
  /** the workspace folder, when the notebook's own folder cannot tell (a source without its file) */
  workspace?: string;
  /** param values: strings from the CLI (`source: 'cli'`) or JSON values (API, schedules) */
  params: Record<string, unknown>;
  paramSource: 'cli' | 'json';
  /** a limit for the whole run */
  timeoutMs?: number;
  /**
   * Stops the run from outside (a worker shutting down, an attempt whose lease was lost): the
   * running cell is interrupted and the kernel killed; the record says which cell was stopped.
   */
  signal?: AbortSignal;
  redactor?: Redactor;
  /** kernel heap limit in MB (default: `QUIRE_KERNEL_HEAP_MB`, else the kernel's own default) */
  heapMb?: number;
  onWarning?: (message: string) => void;
  /** called once the input is known to be good, before any cell runs (the store records the run here) */
  onStarted?: (started: RunStarted) => void;
  onCellFinished?: (cell: CellRecord, path: string) => void;
}

export interface RunStarted {
  id: string;
  source: string;
  sha256: string;
  title?: string;
  params: Record<string, ParamValue>;
  /** the notebook's path relative to its workspace (how the store and the editor name it) */
  workspacePath: string;
  workspace: string;
}

export interface RunResult {
  record: RunRecord;
  exitCode: 0 | 1 | 3;
  notebook: Notebook;
  /** the notebook source as run */
  source: string;
  /** the run's redactor (its secrets and `request.redactor`): anything written later goes through it */
  redactor: Redactor;
}

interface Loaded {
  notebook: Notebook;
  warnings: FormatWarning[];
  source: string;
  displayPath: string;
  absolutePath: string;
}

async function loadNotebook(path: string, given: string | undefined): Promise<Loaded> {
  const displayPath = path;
  let source: string;
  let absolutePath: string;
  try {
    if (given !== undefined) {
      source = given;
      absolutePath = resolve(path);
    } else {
      absolutePath = await realpath(resolve(path));
      source = await readFile(absolutePath, 'utf8');
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(error);
    throw new RunInputError(`${displayPath}: ${why}`);
  }
  try {
    const { notebook, warnings } = parseNotebook(source, { path: displayPath });
    return {
      notebook,
      warnings,
      source,
      displayPath,
      absolutePath,
    };
  } catch (error) {
    if (error instanceof NotebookParseError) throw new RunInputError(error.message);
    throw error;
  }
}

function checkParams(loaded: Loaded, request: RunRequest): Record<string, ParamValue> {
  try {
    return resolveParams(loaded.notebook.frontMatter?.params ?? [], request.params, {
      source: request.paramSource,
    });
  } catch (error) {
    if (error instanceof ParamError) throw new RunInputError(`${loaded.displayPath}: ${error.message}`);
    throw error;
  }
}

/** The kernel heap limit from `QUIRE_KERNEL_HEAP_MB`; a value that is not a whole number ≥ 16 is bad input. */
export function heapMbFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.QUIRE_KERNEL_HEAP_MB?.trim();
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 16) {
    throw new RunInputError(
      `QUIRE_KERNEL_HEAP_MB: expected a whole number of megabytes (at least 16), got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** setTimeout fires at once past 2^31-1 ms (about 24.8 days): a longer limit is no limit. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const asTimerLimit = (ms: number | undefined): number | undefined =>
  ms === undefined || ms > MAX_TIMER_MS ? undefined : ms;

const runId = (start: Date): string =>
  `run-${start
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;

const tsSources = (notebook: Notebook): string[] =>
  notebook.cells.flatMap((c) =>
    c.kind === 'code' && CELL_LANGUAGES[c.language].typescript ? [c.source] : [],
  );

const hasRunnableCells = (notebook: Notebook): boolean =>
  notebook.cells.some((c) => (c.kind === 'code' ? c.attributes.run : c.interpolations.length > 0));

type RunConnections = LateConnections['target'];

const hasSqlCells = (notebook: Notebook): boolean =>
  notebook.cells.some(
    (c) => c.kind === 'code' && CELL_LANGUAGES[c.language].compiler === 'sql' && c.attributes.run,
  );

/**
 * The modules a run needs once its input is known to be good. They load while the kernel starts
 * (and loads DuckDB), so the two costs overlap instead of adding up.
 */
const loadRunModules = () =>
  Promise.all([
    import('../analysis/index.js'),
    import('../engine/state/index.js'),
    import('../engine/session.js'),
    import('../outputs/prepare.js'),
    import('./build-record.js'),
    import('./redact-record.js'),
  ]);

/** The prestarted kernel when it was started for this very run, else a fresh start. */
async function adoptOrStart(
  prestarted: Prestarted | undefined,
  expected: { absolutePath: string; workspace: string; heapMb: number | undefined },
  connections: RunConnections | undefined,
  start: () => Promise<ProcessKernel | undefined>,
): Promise<ProcessKernel | undefined> {
  if (
    prestarted &&
    prestarted.absolutePath === expected.absolutePath &&
    prestarted.workspace === expected.workspace &&
    prestarted.heapMb === expected.heapMb
  ) {
    prestarted.connections.target = connections;
    return prestarted.ready;
  }
  await shutDown(prestarted);
  return start();
}

/**
 * The run's secrets: looked up in the host's environment, each value registered with the run's
 * redactor before its cell starts; `used` collects the names found, for the run record.
 */
function runSecrets(extra: Redactor | undefined) {
  const redactor = new SecretRedactor();
  const env = new EnvSecretSource();
  const used = new Set<string>();
  const source: SecretSource = {
    get: (name) => {
      const value = env.get(name);
      if (value !== undefined) used.add(name);
      return value;
    },
    describe: (name) => env.describe(name),
  };
  const all: Redactor = {
    redact: (text) => (extra ? extra.redact(redactor.redact(text)) : redactor.redact(text)),
  };
  return { source, redactor, used, all };
}

async function shutDown(prestarted: Prestarted | undefined): Promise<undefined> {
  await prestarted?.kernel.shutdown();
  return undefined;
}

export async function runNotebook(request: RunRequest): Promise<RunResult> {
  try {
    return await run(request);
  } catch (error) {
    // Bad input (or a fault before the session took the kernel): no kernel may outlive the run.
    await request.prestarted?.kernel.shutdown();
    throw error;
  }
}

async function run(request: RunRequest): Promise<RunResult> {
  const loaded = await loadNotebook(request.path, request.source);
  const { warnings } = loaded;
  for (const w of warnings) request.onWarning?.(`${loaded.displayPath}:${w.line}:${w.column}: ${w.message}`);
  const params = checkParams(loaded, request);
  const heapMb = request.heapMb ?? heapMbFromEnv();
  const ownDir = dirname(loaded.absolutePath);
  const notebookDir = request.workspace && !existsSync(ownDir) ? request.workspace : ownDir;
  const workspace = request.workspace ?? findWorkspace(notebookDir);
  const started = new Date();
  const startedMs = performance.now();
  const { notebook } = loaded;
  const id = request.id ?? runId(started);
  const title = notebook.frontMatter?.title;
  request.onStarted?.({
    id,
    source: loaded.source,
    sha256: sha256(loaded.source),
    ...(title ? { title } : {}),
    params,
    workspacePath: relative(workspace, loaded.absolutePath) || loaded.displayPath,
    workspace,
  });
  const frontTimeout = notebook.frontMatter?.timeoutMs;
  const connections = notebook.cells.some((c) => c.kind === 'code' && c.attributes.connection)
    ? await (await import('../connectors/host/registry.js')).ConnectionRegistry.load(workspace)
    : undefined;
  const late = new LateConnections();
  late.target = connections;
  const createKernel = () =>
    new ProcessKernel({ workspace, cwd: notebookDir, connections: late, ...(heapMb ? { heapMb } : {}) });
  const kernelStarting = hasRunnableCells(notebook)
    ? adoptOrStart(
        request.prestarted,
        { absolutePath: loaded.absolutePath, workspace, heapMb },
        connections,
        () => startKernel(createKernel(), hasSqlCells(notebook)),
      )
    : shutDown(request.prestarted);
  const [analysis, { createState }, { Session }, { prepareOutput }, { buildRecord }, recordRedaction] =
    await loadRunModules();
  const { redactCellRecord, redactRunRecord } = recordRedaction;
  const [startedKernel] = await Promise.all([
    kernelStarting,
    analysis.warmTranspileCache(tsSources(notebook)),
  ]);
  const { analyzeCell } = analysis;
  const secrets = runSecrets(request.redactor);
  const redactor = secrets.all;
  const session = new Session(createState({ cells: notebook.cells, params, analyze: analyzeCell }), {
    createKernel,
    ...(startedKernel ? { startedKernel } : {}),
    cellTimeoutMs: (cell: Cell) =>
      asTimerLimit(cell.kind === 'code' ? (cell.attributes.timeoutMs ?? frontTimeout) : frontTimeout),
    // A secret split across stream chunks is redacted too (stream-tail.ts).
    prepareOutput: redactAcrossChunks(secrets.redactor, (output) => prepareOutput(output, { redactor })),
    secrets: { source: secrets.source, redactor: secrets.redactor },
  });
  const cellById = new Map(notebook.cells.map((c) => [c.id, c]));
  let timedOut = false;
  let stoppedCell: string | null = null;
  const runLimit = () =>
    timedOut && request.timeoutMs !== undefined ? { limitMs: request.timeoutMs, stoppedCell } : undefined;
  session.on('notification', (n) => {
    if (!['ok', 'error', 'skipped'].includes(n.status)) return;
    // The run limit can pass while no cell is marked running (the kernel was still starting):
    // the first cell that then fails is the one the limit stopped.
    if (timedOut && stoppedCell === null && n.status === 'error') stoppedCell = n.cellId;
    const cell = cellById.get(n.cellId);
    if (!cell || !request.onCellFinished) return;
    const partial = buildRecord.cell(cell, session.state, session.results, runLimit());
    // Progress lines show error messages: they pass the redactor like everything else.
    if (partial) request.onCellFinished(redactCellRecord(partial, redactor), loaded.displayPath);
  });
  const runTimeoutMs = asTimerLimit(request.timeoutMs);
  const timer =
    runTimeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          stoppedCell = session.state.running;
          session.dispatch({ type: 'interrupt' });
          void session.killKernel();
        }, runTimeoutMs);
  const stop = () => {
    session.dispatch({ type: 'interrupt' });
    void session.killKernel();
  };
  request.signal?.addEventListener('abort', stop, { once: true });
  if (request.signal?.aborted) stop();
  try {
    await session.runAll();
  } finally {
    request.signal?.removeEventListener('abort', stop);
    if (timer) clearTimeout(timer);
    await session.close();
    await connections?.close();
  }
  const built = buildRecord({
    id,
    notebook,
    source: loaded.source,
    path: relative(process.cwd(), loaded.absolutePath) || loaded.displayPath,
    params,
    started,
    durationMs: performance.now() - startedMs,
    runtime: runtimeInfo(workspace),
    state: session.state,
    results: session.results,
    warnings,
    timedOut: runLimit(),
    sha256: sha256(loaded.source),
    secrets: [...secrets.used],
  });
  // Errors, stacks and warnings can hold a secret too, and an output one that a later cell read.
  const record = redactRunRecord(built, redactor);
  const exitCode = record.status === 'timeout' ? 3 : record.status === 'error' ? 1 : 0;
  return { record, exitCode, notebook, source: loaded.source, redactor };
}
