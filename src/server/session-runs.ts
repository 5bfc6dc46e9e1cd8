/**
 * The editor's runs in the run history (issue 4): a client's Run all in a notebook session is one
 * run, recorded like a `quire run` (trigger `editor`) — a row `running` when it starts, then the
 * final status with the run record built by runner/build-record.ts from the engine's state, through
 * the session's redactor. A single cell (`runCell`, `runStale`) is exploration, not a run: nothing
 * is recorded, but such a run that joins a recorded Run all before it ends is part of it.
 *
 * The stored source is the session's text when Run all started (saved or not), and the record's
 * cell ids are the ones a document loaded from that text gives (not the session document's, which
 * differ once cells were inserted), so `quire show`, `quire rerun` and the report read it like any
 * other run.
 *
 * It must not hold up the session: store writes are chained here and a failed one is logged, never
 * thrown; the run itself goes on without a history row.
 */
import { hostname } from 'node:os';
import type { Engine } from '../engine/engine.js';
import { labelAtLoad } from '../engine/document/index.js';
import type { CellStatusNotification, EngineState } from '../engine/state/index.js';
import { parseNotebook } from '../format/index.js';
import type { Cell, FormatWarning, Notebook, ParamValue } from '../format/types.js';
import type { Redactor } from '../outputs/redact.js';
import type { ServerNotification } from '../protocol/index.js';
import { buildRecord } from '../runner/build-record.js';
import type { CellRecord, RunRecord } from '../runner/record.js';
import { redactRunRecord } from '../runner/redact-record.js';
import { failureSummary, finishRecorded, startRecorded } from '../runner/recorder.js';
import { runtimeInfo, sha256 } from '../runner/runtime-info.js';
import type { SecretSource } from '../secrets/source.js';
import { newRunId } from '../shared/ids.js';
import { workerName, type RunStore } from '../store/run-store.js';

/** How a server records its editors' runs (NotebookSessionOptions.recordRuns). */
export interface RecordRunsOptions {
  store: RunStore;
  logError: (error: unknown) => void;
}

/** The session at the moment Run all is dispatched. */
export interface RunAllContext {
  engine: Engine;
  /** the session's text now: what the run's source is */
  text: string;
  redactor: Redactor;
  /** where the session's secrets come from (the record names those its cells read) */
  secrets: SecretSource;
}

interface SessionRunsDeps extends RecordRunsOptions {
  /** the served folder */
  workspace: string;
  /** the notebook's workspace-relative path */
  path: string;
  /** the session's text now (to tell whether it was edited during the run) */
  text: () => string;
  /** to every client of the session */
  notify: (notification: ServerNotification) => void;
}

interface InFlight {
  id: string;
  engine: Engine;
  started: Date;
  startedMs: number;
  source: string;
  /** the source as a document loads it: the cells (under those ids) the record is about */
  notebook: Notebook;
  warnings: FormatWarning[];
  /** the session document's id of each of `notebook.cells` */
  sessionIds: string[];
  params: Record<string, ParamValue>;
  redactor: Redactor;
  secrets: SecretSource;
  /** cells that ran, failed or were skipped during this run */
  settled: Set<string>;
  interrupted: boolean;
  /** resolves to whether the store has the run's row */
  created: Promise<boolean>;
  /** stops listening to the engine and renewing the lease */
  detach: () => void;
}

const WORKER = workerName('server', hostname());
/**
 * A `running` row has a lease (1 h from its start, the store's default for runs that start at
 * once); past it, a worker's lease sweep would call the run lost. A long Run all renews it.
 */
const LEASE_MS = 60 * 60 * 1000;
const RENEW_EVERY_MS = 10 * 60 * 1000;

export class SessionRuns {
  private current: InFlight | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SessionRunsDeps) {}

  /** Call before dispatching `runAll`: an engine with nothing to run finishes within the dispatch. */
  runAll(context: RunAllContext): void {
    // A second Run all while one is going joins it: the engine runs one queue, and one record covers it.
    if (this.current) return;
    try {
      this.begin(context);
    } catch (error) {
      // The history misses this run; the run itself goes on.
      this.deps.logError(error);
    }
  }

  private begin(context: RunAllContext): void {
    const started = new Date();
    const parsed = parseNotebook(context.text, { path: this.deps.path });
    const { warnings } = parsed;
    const notebook = labelAtLoad(parsed.notebook);
    const run: InFlight = {
      id: newRunId(started),
      engine: context.engine,
      started,
      startedMs: performance.now(),
      source: context.text,
      notebook,
      warnings,
      sessionIds: context.engine.document.notebook.cells.map((c) => c.id),
      params: { ...context.engine.state.params },
      redactor: context.redactor,
      secrets: context.secrets,
      settled: new Set(),
      interrupted: false,
      created: Promise.resolve(false),
      detach: () => undefined,
    };
    const onStatus = (n: CellStatusNotification) => {
      if (n.status !== 'idle' && n.status !== 'queued' && n.status !== 'stale') run.settled.add(n.cellId);
    };
    const onFinished = () => this.finish(run);
    context.engine.on('notification', onStatus);
    context.engine.on('runFinished', onFinished);
    const renew = setInterval(() => {
      this.chain(run.created.then((ok) => ok && this.deps.store.heartbeat(run.id, 1, LEASE_MS)));
    }, RENEW_EVERY_MS);
    renew.unref();
    run.detach = () => {
      clearInterval(renew);
      context.engine.off('notification', onStatus);
      context.engine.off('runFinished', onFinished);
    };
    run.created = this.record(run);
    this.current = run;
  }

  /** The client interrupted: the run ends (when the engine's queue is empty) as an error. */
  interrupt(): void {
    if (this.current) this.current.interrupted = true;
  }

  /** The session's engine is going away (a reload, the server stopping): the run ends now. */
  abandon(reason: string): void {
    if (this.current) this.finish(this.current, reason);
  }

  /** Resolves when every store write so far is done (before the store closes). */
  settled(): Promise<void> {
    return this.writes;
  }

  private record(run: InFlight): Promise<boolean> {
    const title = run.notebook.frontMatter?.title;
    const created = startRecorded(
      this.deps.store,
      {
        id: run.id,
        source: run.source,
        sha256: sha256(run.source),
        ...(title ? { title } : {}),
        params: run.params,
        workspacePath: this.deps.path,
        workspace: this.deps.workspace,
      },
      { trigger: 'editor', worker: WORKER },
    ).then(
      () => {
        this.deps.notify({ type: 'runRecorded', runId: run.id, status: 'running' });
        return true;
      },
      (error: unknown) => {
        this.deps.logError(error);
        return false;
      },
    );
    this.chain(created);
    return created;
  }

  /** Builds the record now (the engine's state moves on), then stores it after the row exists. */
  private finish(run: InFlight, abandoned?: string): void {
    if (this.current !== run) return;
    this.current = undefined;
    run.detach();
    let record: RunRecord;
    try {
      record = this.buildRecord(run, abandoned !== undefined || run.interrupted);
    } catch (error) {
      // Called from the engine's event: a throw here would break its queue. The row still ends.
      this.deps.logError(error);
      const durationMs = Math.round(performance.now() - run.startedMs);
      const failed = { status: 'error', durationMs, error: 'the run record could not be built' } as const;
      this.chain(run.created.then((ok) => ok && this.deps.store.finish(run.id, 1, failed)));
      return;
    }
    const why = abandoned ?? (run.interrupted ? 'interrupted' : failureSummary(record));
    this.chain(
      (async () => {
        if (!(await run.created)) return;
        const finished = await finishRecorded(this.deps.store, run.id, 1, record, why ? { error: why } : {});
        if (finished) this.deps.notify({ type: 'runRecorded', runId: run.id, status: record.status });
      })(),
    );
  }

  private chain(write: Promise<unknown>): void {
    // Handled at once: a rejection waiting behind earlier writes would count as unhandled.
    const done = write.then(
      () => undefined,
      (error: unknown) => this.deps.logError(error),
    );
    this.writes = this.writes.then(() => done);
  }

  private buildRecord(run: InFlight, stopped: boolean): RunRecord {
    const { engine } = run;
    // The engine knows cells by the session document's ids: the record is built on those, then renamed.
    const sameCells = run.notebook.cells.length === run.sessionIds.length;
    const toSession = (cell: Cell, i: number): Cell => ({ ...cell, id: run.sessionIds[i] ?? cell.id });
    const built = buildRecord({
      id: run.id,
      notebook: sameCells ? { ...run.notebook, cells: run.notebook.cells.map(toSession) } : run.notebook,
      source: run.source,
      sha256: sha256(run.source),
      path: this.deps.path,
      params: run.params,
      started: run.started,
      durationMs: performance.now() - run.startedMs,
      runtime: runtimeInfo(this.deps.workspace),
      state: engine.state,
      results: engine.results,
      warnings: this.warnings(run),
      secrets: secretsRead(engine.state, run.settled, run.secrets),
    });
    const loadId = new Map(
      sameCells ? run.sessionIds.map((id, i) => [id, run.notebook.cells[i]!.id] as const) : [],
    );
    const rename = (id: string): string => loadId.get(id) ?? id;
    const cells = built.cells.map((cell) => {
      const own = untouched(cell, run.settled, stopped) ?? cell;
      return {
        ...own,
        id: rename(own.id),
        ...(own.skippedBecause ? { skippedBecause: rename(own.skippedBecause) } : {}),
      };
    });
    const record: RunRecord = { ...built, cells, ...(stopped ? { status: 'error' as const } : {}) };
    // Errors, stacks and warnings can hold a secret, and an output one that a later cell read.
    return redactRunRecord(record, run.redactor);
  }

  private warnings(run: InFlight): FormatWarning[] {
    if (this.deps.text() === run.source) return run.warnings;
    // The record stays about the stored source; say that some outputs may come from edited cells.
    const edited = 'the notebook was edited during this run: some outputs may come from the edited cells';
    return [...run.warnings, { message: edited, line: 1, column: 1 }];
  }
}

/**
 * A cell the run did not reach still shows its previous state in the engine (an interrupt puts
 * queued cells back as they were): in the record it did not run, and says why. Undefined: the
 * cell is as built (it ran, failed or was skipped in this run, or is `run=false`).
 */
function untouched(cell: CellRecord, settled: ReadonlySet<string>, stopped: boolean): CellRecord | undefined {
  if (settled.has(cell.id) || cell.skippedBecause === 'run=false') return undefined;
  const { error: _error, ...rest } = cell;
  return { ...rest, status: 'skipped', skippedBecause: stopped ? 'interrupted' : 'not run', outputs: [] };
}

/** The secrets the run's cells read: those named by a cell that ran, and set in the source. */
function secretsRead(state: EngineState, settled: ReadonlySet<string>, source: SecretSource): string[] {
  const names = new Set<string>();
  for (const id of settled) {
    const status = state.runtime.get(id)?.status;
    if (status !== 'ok' && status !== 'error') continue;
    for (const name of state.analyses.get(id)?.secrets ?? []) {
      if (source.get(name) !== undefined) names.add(name);
    }
  }
  return [...names];
}
