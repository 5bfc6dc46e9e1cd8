/**
 * The one run entry point: a headless run of one loaded notebook — params checked, every cell run
 * in a fresh kernel from the caller's factory, secrets from the caller's source, the run record
 * built and handed to the caller's recorder. `quire run`, `quire rerun`, `quire sweep` and the
 * queue's workers all run notebooks through `runNotebook`; the editor's sessions share its
 * assembly (assemble.ts) and its recording (recorder.ts).
 *
 * Bad input (a bad param, a bad `QUIRE_KERNEL_HEAP_MB`) throws RunInputError before any cell
 * runs; everything that happens once cells run is in the record, never thrown.
 */
import { existsSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Notebook, ParamValue } from '../format/types.js';
import type { Kernel, KernelFactory, KernelFileAccess } from '../kernel/types.js';
import type { Redactor } from '../outputs/redact.js';
import type { RunUser } from '../secrets/grants.js';
import type { SecretSource } from '../secrets/source.js';
import { newRunId } from '../shared/ids.js';
import { heapMbFromEnv, asTimerLimit, type RunLimits } from './limits.js';
import { checkParams, warningLines, type LoadedNotebook } from './load.js';
import type { CellRecord, RunRecord } from './record.js';
import { runtimeInfo, sha256 } from './runtime-info.js';
import { findWorkspace } from './workspace.js';
import { LateConnections, startKernel, type Prestarted } from './prestart.js';
import { CELL_LANGUAGES } from '../protocol/languages.js';

export { RunInputError } from './errors.js';

/** What receives a run as it goes: warnings, the start, each cell's result, the final result. */
export interface RunRecorder {
  /** a format warning (`file:line:column: message`) */
  warning?(message: string): void;
  /** the input is known to be good, before any cell runs (the store records the run here) */
  started?(started: RunStarted): void;
  /** a cell ran, failed or was skipped (its record already redacted) */
  cellFinished?(cell: CellRecord, path: string): void;
  /** the run is over: awaited before runNotebook returns (write the run directory, store the record) */
  finished?(result: RunResult): Promise<void> | void;
}

export interface RunRequest {
  /** the notebook as loaded (load.ts): its text, its path and what the parser said */
  notebook: LoadedNotebook;
  /** param values: strings from the CLI (`paramSource: 'cli'`) or JSON values (API, schedules) */
  params: Record<string, unknown>;
  paramSource: 'cli' | 'json';
  limits?: RunLimits;
  /**
   * where the secrets that cells name come from (the edge decides: the environment, the store);
   * the engine awaits its `prepare` with a cell's names as that cell starts
   */
  secrets: SecretSource;
  /**
   * who the run reads stored secrets as (their user grants, secrets/grants.ts): a queued run's
   * owner; undefined: the source's default (the host owner for `quire run`, nobody in a server or
   * worker, so a user-granted secret is refused to a run that names no owner)
   */
  secretUser?: RunUser;
  /** makes the run's kernels */
  kernels: KernelFactory;
  /** what the run's kernels may not read (a queued run's owner's grants); absent: all of the workspace */
  fileAccess?: KernelFileAccess;
  /** a kernel started for this file before the notebook loaded (see prestart.ts); adopted or shut down */
  prestarted?: Prestarted;
  recorder?: RunRecorder;
  /** the run id to use (the store assigned it when the run was queued) */
  id?: string;
  /**
   * the workspace folder, when the notebook's own folder cannot tell (a source without its file):
   * the kernel's working folder is the notebook's folder when it exists, else this
   */
  workspace?: string;
  /**
   * Stops the run from outside (a worker shutting down, an attempt whose lease was lost): the
   * running cell is interrupted and the kernel killed; the record says which cell was stopped.
   */
  signal?: AbortSignal;
  redactor?: Redactor;
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
    import('../engine/document/index.js'),
    import('../engine/engine.js'),
    import('./assemble.js'),
    import('./build-record.js'),
    import('./redact-record.js'),
  ]);

/** The prestarted kernel when it was started for this very run, else a fresh start. */
async function adoptOrStart(
  prestarted: Prestarted | undefined,
  expected: { absolutePath: string; workspace: string; heapMb: number | undefined; narrowed: boolean },
  connections: RunConnections | undefined,
  start: () => Promise<Kernel | undefined>,
): Promise<Kernel | undefined> {
  if (
    prestarted &&
    // A kernel started before the run knew whose it is sees all of the workspace.
    !expected.narrowed &&
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

async function shutDown(prestarted: Prestarted | undefined): Promise<undefined> {
  await prestarted?.kernel.shutdown();
  return undefined;
}

export async function runNotebook(request: RunRequest): Promise<RunResult> {
  try {
    return await run(request);
  } catch (error) {
    // Bad input (or a fault before the engine took the kernel): no kernel may outlive the run.
    await request.prestarted?.kernel.shutdown();
    throw error;
  }
}

async function run(request: RunRequest): Promise<RunResult> {
  const loaded = request.notebook;
  const { warnings } = loaded;
  const recorder = request.recorder ?? {};
  for (const line of warningLines(loaded)) recorder.warning?.(line);
  const params = checkParams(loaded, request.params, request.paramSource);
  const heapMb = request.limits?.heapMb ?? heapMbFromEnv();
  const ownDir = dirname(loaded.absolutePath);
  const notebookDir = request.workspace && !existsSync(ownDir) ? request.workspace : ownDir;
  const workspace = request.workspace ?? findWorkspace(notebookDir);
  const workspacePath = relative(workspace, loaded.absolutePath) || loaded.displayPath;
  const started = new Date();
  const startedMs = performance.now();
  const { notebook } = loaded;
  const id = request.id ?? newRunId(started);
  const title = notebook.frontMatter?.title;
  recorder.started?.({
    id,
    source: loaded.source,
    sha256: sha256(loaded.source),
    ...(title ? { title } : {}),
    params,
    workspacePath,
    workspace,
  });
  const connections = notebook.cells.some((c) => c.kind === 'code' && c.attributes.connection)
    ? await (await import('../connectors/host/registry.js')).ConnectionRegistry.load(workspace)
    : undefined;
  const late = new LateConnections();
  late.target = connections;
  const kernelSpec = {
    workspace,
    cwd: notebookDir,
    connections: late,
    ...(heapMb ? { heapMb } : {}),
    ...(request.fileAccess ? { fileAccess: request.fileAccess } : {}),
  };
  const kernelStarting = hasRunnableCells(notebook)
    ? adoptOrStart(
        request.prestarted,
        { absolutePath: loaded.absolutePath, workspace, heapMb, narrowed: request.fileAccess !== undefined },
        connections,
        () => startKernel(request.kernels(kernelSpec), hasSqlCells(notebook)),
      )
    : shutDown(request.prestarted);
  const [analysis, { loadDocument }, { Engine }, { assembleRun }, { buildRecord }, recordRedaction] =
    await loadRunModules();
  const { redactCellRecord, redactRunRecord } = recordRedaction;
  const [startedKernel] = await Promise.all([
    kernelStarting,
    analysis.warmTranspileCache(tsSources(notebook)),
  ]);
  const { analyzeCell } = analysis;
  const assembly = assembleRun({
    kernels: request.kernels,
    kernel: kernelSpec,
    secrets: request.secrets,
    scope: { notebookPath: workspacePath, user: request.secretUser },
    frontTimeoutMs: notebook.frontMatter?.timeoutMs,
    redactor: request.redactor,
    reader: () => ({ runId: id, path: workspacePath }),
  });
  connections?.useSecrets({ source: assembly.source, redactor: assembly.redactor });
  const redactor = assembly.redactAll;
  const engine = new Engine(loadDocument(notebook, { params, analyze: analyzeCell }), {
    ...assembly.options,
    ...(startedKernel ? { startedKernel } : {}),
  });
  // The document's cells: a second cell with a repeated name has its own id there (document/load.ts).
  const documentNotebook = engine.document.notebook;
  const cellById = new Map(documentNotebook.cells.map((c) => [c.id, c]));
  let timedOut = false;
  let stoppedCell: string | null = null;
  const runLimit = () =>
    timedOut && request.limits?.timeoutMs !== undefined
      ? { limitMs: request.limits.timeoutMs, stoppedCell }
      : undefined;
  engine.on('notification', (n) => {
    if (!['ok', 'error', 'skipped'].includes(n.status)) return;
    // The run limit can pass while no cell is marked running (the kernel was still starting):
    // the first cell that then fails is the one the limit stopped.
    if (timedOut && stoppedCell === null && n.status === 'error') stoppedCell = n.cellId;
    const cell = cellById.get(n.cellId);
    if (!cell || !recorder.cellFinished) return;
    const partial = buildRecord.cell(cell, engine.state, engine.results, runLimit());
    // Progress lines show error messages: they pass the redactor like everything else.
    if (partial) recorder.cellFinished(redactCellRecord(partial, redactor), loaded.displayPath);
  });
  const runTimeoutMs = asTimerLimit(request.limits?.timeoutMs);
  const timer =
    runTimeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          stoppedCell = engine.state.running;
          engine.dispatch({ type: 'interrupt' });
          void engine.killKernel();
        }, runTimeoutMs);
  const stop = () => {
    engine.dispatch({ type: 'interrupt' });
    void engine.killKernel();
  };
  request.signal?.addEventListener('abort', stop, { once: true });
  if (request.signal?.aborted) stop();
  try {
    await engine.runAll();
  } finally {
    request.signal?.removeEventListener('abort', stop);
    if (timer) clearTimeout(timer);
    await engine.close();
    await connections?.close();
  }
  const built = buildRecord({
    id,
    notebook: documentNotebook,
    source: loaded.source,
    path: relative(process.cwd(), loaded.absolutePath) || loaded.displayPath,
    params,
    started,
    durationMs: performance.now() - startedMs,
    runtime: runtimeInfo(workspace),
    state: engine.state,
    results: engine.results,
    warnings,
    timedOut: runLimit(),
    sha256: sha256(loaded.source),
    secrets: [...assembly.used],
  });
  // Errors, stacks and warnings can hold a secret too, and an output one that a later cell read.
  const record = redactRunRecord(built, redactor);
  const exitCode = record.status === 'timeout' ? 3 : record.status === 'error' ? 1 : 0;
  const result: RunResult = { record, exitCode, notebook: documentNotebook, source: loaded.source, redactor };
  await recorder.finished?.(result);
  return result;
}
