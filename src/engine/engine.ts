/**
 * The engine: owns a notebook document (document/) and carries out the effects its operations
 * decide, against a kernel. `quire run`, the queue's workers and the editor's sessions all drive a
 * notebook through it; nothing else changes a document.
 *
 * Operations are applied one at a time from a queue, so a kernel report that arrives while
 * effects are being carried out never interleaves with them. At most one cell executes at once
 * (the engine emits the next `execute` only after the previous `cellFinished`).
 */
import { EventEmitter } from 'node:events';
import type { Cell, ParamValue } from '../format/types.js';
import type { Kernel } from '../kernel/types.js';
import type { ErrorData, Output } from '../outputs/types.js';
import type { SecretRedactor } from '../secrets/redactor.js';
import { MissingSecretError, type SecretReader, type SecretSource } from '../secrets/source.js';
import { commandForCell } from './commands.js';
import {
  applyOperation,
  type NotebookDocument,
  type Operation,
  type OperationResult,
} from './document/index.js';
import { cellOf, type EngineState, type Effect, type Notification } from './state/index.js';

export interface EngineOptions {
  /** makes a new (not yet started) kernel; called again after a kernel dies */
  createKernel: () => Kernel;
  /** a kernel already started (e.g. while the notebook was being analysed); used first */
  startedKernel?: Kernel;
  /** the time limit of one cell, if any */
  cellTimeoutMs?: (cell: Cell) => number | undefined;
  /** every output passes through this before it is kept or sent (sanitize, redact, cap) */
  prepareOutput?: (output: Output) => Output;
  /**
   * where the secrets that cells name come from; each value found is registered with `redactor`
   * before it is sent to the kernel (without this, a cell that names a secret fails)
   */
  secrets?: { source: SecretSource; redactor: SecretRedactor };
}

/** What one execution of a cell produced. */
export interface CellResult {
  outputs: Output[];
  durationMs: number;
  versions?: Record<string, string>;
  /** the `metric(name, value)` calls of this execution: the latest value per name (names redacted) */
  metrics?: ReadonlyMap<string, number>;
  /** this execution's place in the session's order: a later execution's metric of the same name wins */
  order?: number;
}

export interface EngineEvents {
  notification: [Notification];
  output: [cellId: string, output: Output];
  runFinished: [{ errors: string[]; skipped: string[] }];
}

/** What an operation applied at once said: refused (`error`), or what a rename rewrote. */
export type Applied = Omit<OperationResult, 'doc' | 'effects'>;

export class Engine extends EventEmitter<EngineEvents> {
  private current: NotebookDocument;
  private kernel: Kernel | undefined;
  private readonly ops: Operation[] = [];
  private applying = false;
  /** counts executions, so that record builders know which of two cells' metrics came last */
  private executions = 0;
  private closed = false;
  /** the started kernel given in the options still needs the params defined */
  private paramsPending = false;
  /** the kernel's start under way, if any */
  private kernelStart: Promise<unknown> | undefined;
  /** outputs and timings of each cell's latest execution */
  readonly results = new Map<string, CellResult>();

  constructor(
    document: NotebookDocument,
    private readonly options: EngineOptions,
  ) {
    super();
    this.current = document;
    if (options.startedKernel) {
      this.kernel = options.startedKernel;
      this.paramsPending = true;
    }
  }

  get document(): NotebookDocument {
    return this.current;
  }

  get state(): EngineState {
    return this.current.state;
  }

  /**
   * Applies an operation and carries out its effects in order, and returns what it said. One
   * dispatched while another's effects are being carried out (a kernel report) waits its turn:
   * it returns undefined, and a refusal of it is dropped (only stale kernel reports are refused).
   */
  dispatch(op: Operation): Applied | undefined {
    this.ops.push(op);
    if (this.applying) return undefined;
    this.applying = true;
    let first: Applied | undefined;
    try {
      for (let next = this.ops.shift(); next; next = this.ops.shift()) {
        const applied = this.apply(next);
        first ??= applied;
      }
    } finally {
      this.applying = false;
    }
    return first;
  }

  /** Runs every runnable cell; resolves when the run's queue drains. */
  runAll(): Promise<{ errors: string[]; skipped: string[] }> {
    const finished = new Promise<{ errors: string[]; skipped: string[] }>((resolve) =>
      this.once('runFinished', resolve),
    );
    this.dispatch({ type: 'runAll' });
    return finished;
  }

  /** Stops the kernel; the session can no longer run cells. */
  async close(): Promise<void> {
    this.closed = true;
    const kernel = this.kernel;
    this.kernel = undefined;
    await kernel?.shutdown();
  }

  /** Kills the kernel now (a run past its time limit); the running cell fails as a crash. */
  async killKernel(): Promise<void> {
    await this.kernel?.shutdown();
  }

  private apply(op: Operation): Applied {
    const { doc, effects, ...said } = applyOperation(this.current, op);
    this.current = doc;
    for (const effect of effects) this.perform(effect);
    return said;
  }

  private perform(effect: Effect): void {
    switch (effect.type) {
      case 'execute':
        void this.execute(effect.cellId);
        return;
      case 'deleteNames':
        if (this.kernel?.alive) this.kernel.send({ type: 'deleteNames', names: effect.names });
        return;
      case 'forgetCell':
        if (this.kernel?.alive) this.kernel.send({ type: 'forgetCell', cellId: effect.cellId });
        return;
      case 'defineParams':
        if (this.kernel?.alive) this.kernel.send({ type: 'defineValues', values: effect.values });
        return;
      case 'interruptKernel':
        // A synchronous loop cannot be interrupted from outside: stopping means a new kernel.
        void this.kernel?.shutdown();
        return;
      case 'notify':
        this.emit('notification', effect.notification);
        return;
      case 'runFinished':
        this.emit('runFinished', { errors: effect.errors, skipped: effect.skipped });
        return;
    }
  }

  private async execute(cellId: string): Promise<void> {
    const cell = cellOf(this.current.state, cellId);
    if (!cell) return;
    const outputs: Output[] = [];
    const metrics = new Map<string, number>();
    const order = ++this.executions;
    this.results.set(cellId, { outputs, durationMs: 0, metrics, order });
    this.dispatch({ type: 'cellStarted', id: cellId });
    // A source that cannot answer at once (the secret store) fetches the cell's secrets first, so a
    // value stored a moment ago is the one this execution reads. It never rejects.
    const names = this.current.state.analyses.get(cellId)?.secrets;
    if (names?.length) await this.options.secrets?.source.prepare?.(names);
    let command;
    try {
      command = commandForCell(this.current.state, cell, (names) =>
        this.resolveSecrets(names, { cellId, execution: order }),
      );
    } catch (error) {
      this.dispatch({
        type: 'cellFinished',
        id: cellId,
        status: 'error',
        error: asErrorData(error),
        failure: 'exception',
      });
      return;
    }
    const kernel = await this.ensureKernel(cellId);
    if (!kernel) return;
    const prepare = this.options.prepareOutput ?? ((o: Output) => o);
    const result = await kernel.execute(command, {
      timeoutMs: this.options.cellTimeoutMs?.(cell),
      onOutput: (output) => {
        const prepared = prepare(output);
        outputs.push(prepared);
        this.emit('output', cellId, prepared);
      },
      // A name is user data like an output: a secret in it is redacted before anything keeps it.
      onMetric: (name, value) => metrics.set(this.options.secrets?.redactor.redact(name) ?? name, value),
    });
    this.results.set(cellId, {
      outputs,
      durationMs: result.durationMs,
      versions: result.versions,
      metrics,
      order,
    });
    this.dispatch({
      type: 'cellFinished',
      id: cellId,
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
      ...(result.failure ? { failure: result.failure } : {}),
    });
    if (result.failure === 'timeout' || result.failure === 'crash') {
      this.kernel = undefined;
      if (!this.closed) this.dispatch({ type: 'kernelRestarted' });
    }
  }

  /**
   * The secrets' values, each registered with the redactor before anything else sees it. The
   * source hears which cell reads them (`reader`: the audit log's `secret.read`).
   */
  private resolveSecrets(names: string[], reader: SecretReader): Record<string, string> {
    const secrets = this.options.secrets;
    const values: Record<string, string> = {};
    for (const name of names) {
      if (!secrets) throw new MissingSecretError(name, 'this session has no secret source');
      const value = secrets.source.get(name, reader);
      if (value === undefined) throw new MissingSecretError(name, secrets.source.describe(name));
      secrets.redactor.register(value);
      values[name] = value;
    }
    return values;
  }

  /**
   * The live kernel, started on first use with the params defined; undefined if it cannot start.
   * Cells that ask while it starts wait for that start (not `alive` yet) instead of making another.
   */
  private async ensureKernel(cellId: string): Promise<Kernel | undefined> {
    if (this.kernelStart) {
      const kernel = this.kernel;
      await this.kernelStart;
      if (kernel && kernel === this.kernel && kernel.alive) return kernel;
    }
    if (this.kernel?.alive) {
      if (this.paramsPending) this.defineParams(this.kernel);
      return this.kernel;
    }
    if (this.closed) {
      const error = { name: 'Error', message: 'the session is closed' };
      this.dispatch({ type: 'cellFinished', id: cellId, status: 'error', error, failure: 'exception' });
      return undefined;
    }
    const kernel = this.options.createKernel();
    this.kernel = kernel;
    const started = kernel.start();
    this.kernelStart = started.catch(() => undefined);
    try {
      await started;
    } catch (error) {
      // Not a lost kernel (there was none): the cell fails and the next cell tries a new start.
      this.kernel = undefined;
      const data = asErrorData(error);
      data.message = `the kernel could not start: ${data.message}`;
      this.dispatch({ type: 'cellFinished', id: cellId, status: 'error', error: data, failure: 'exception' });
      return undefined;
    } finally {
      this.kernelStart = undefined;
    }
    this.defineParams(kernel);
    return kernel;
  }

  private defineParams(kernel: Kernel): void {
    this.paramsPending = false;
    kernel.send({
      type: 'defineValues',
      values: { ...this.current.state.params } as Record<string, ParamValue>,
    });
  }
}

function asErrorData(error: unknown): ErrorData {
  if (error instanceof Error) {
    const positioned = error as Error & { line?: number; column?: number };
    return {
      name: error.name,
      message: error.message,
      ...(typeof positioned.line === 'number' ? { line: positioned.line } : {}),
      ...(typeof positioned.column === 'number' ? { column: positioned.column } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}
