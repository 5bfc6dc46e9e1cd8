/**
 * Executes one queued run in this process: claim it (the store decides who gets it), run its
 * exact stored source with its params in a fresh kernel while renewing the lease, then make it
 * final — or queue it again after a backoff when it failed and has attempts left.
 *
 * Run as: once claimed, the run's owner is checked again (auth/run-as.ts) with their role as it is
 * now; a run whose owner may no longer run it fails without starting a kernel, and no retry.
 *
 * Fencing: if a heartbeat finds the lease lost (this process was cut off long enough for another
 * worker to take the run), the run is stopped at once and nothing it produced is written; the
 * store refuses a late `finish` anyway.
 */
import { join } from 'node:path';
import { runAsRefusal, runFileAccess } from '../auth/run-as.js';
import { parseNotebook } from '../format/index.js';
import type { KernelFactory } from '../kernel/types.js';
import { finishRecorded, failureSummary, retryRecorded } from '../runner/recorder.js';
import type { RunRecord } from '../runner/record.js';
import { loadSource } from '../runner/stored-run.js';
import type { SecretSource } from '../secrets/source.js';
import type { RunStore } from '../store/run-store.js';
import type { StoredRun } from '../store/types.js';
import { retryDelay } from './backoff.js';
import type { Clock } from './clock.js';
import type { HandlerOutcome } from './queue.js';
import { DEFAULT_BACKOFF, parseSchedule, type ScheduleSpec } from './schedule-spec.js';

export interface ExecutorDeps {
  store: RunStore;
  clock: Clock;
  /** this process as a worker: `server@host:pid`, `worker@host:pid` */
  worker: string;
  /** where notebooks' relative paths (data files) resolve */
  workspace: string;
  /** makes the runs' kernels */
  kernels: KernelFactory;
  /** where the runs' secrets come from */
  secrets: SecretSource;
  leaseMs: number;
  /** caps counted across every process sharing the store */
  globalCap?: number;
  /** puts a retried run back on the queue at its time */
  requeue: (runId: string, runAt: number) => Promise<void>;
  /** an attempt of the run began in this process (the audit log's `run.started` of a worker) */
  onStarted?: (run: StoredRun, attempt: number) => void;
  /** the run became final (alerts, metrics) */
  onFinal?: (run: StoredRun, record: RunRecord | undefined) => void | Promise<void>;
  onRetry?: (run: StoredRun, delayMs: number, error: string) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
  heapMb?: number;
}

/** The schedule a run's source declares: its retries' backoff and its notebook's concurrency. */
function scheduleOf(source: string): Pick<ScheduleSpec, 'backoff' | 'concurrency'> {
  try {
    const raw = parseNotebook(source).notebook.frontMatter?.schedule;
    if (raw !== undefined) return parseSchedule(raw);
  } catch {
    // a source that no longer parses fails in the runner with a clear message
  }
  return { backoff: DEFAULT_BACKOFF, concurrency: Number.POSITIVE_INFINITY };
}

/** Runs in flight in this process, so a graceful stop can abort and release them. */
export interface InFlight {
  runId: string;
  attempt: number;
  abort: AbortController;
  /** set when the stop was a graceful release, not a failure */
  released: boolean;
  done: Promise<void>;
}

export class Executor {
  readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly deps: ExecutorDeps) {}

  /** The queue's handler. Never throws: every failure ends in the store. */
  async execute(runId: string): Promise<HandlerOutcome> {
    const { store, clock } = this.deps;
    const queued = await store.get(runId);
    if (!queued || queued.status !== 'queued') return 'done';
    const source = await loadSource(store, queued);
    const schedule = scheduleOf(source);
    const caps = {
      ...(Number.isFinite(schedule.concurrency) ? { notebookCap: schedule.concurrency } : {}),
      ...(this.deps.globalCap !== undefined ? { globalCap: this.deps.globalCap } : {}),
    };
    const attempt = await store.claim(runId, this.deps.worker, this.deps.leaseMs, clock.now(), caps);
    if (attempt === 'busy') return 'busy';
    if (attempt === undefined) return 'done';
    let resolveDone!: () => void;
    const flight: InFlight = {
      runId,
      attempt,
      abort: new AbortController(),
      released: false,
      done: new Promise((r) => (resolveDone = r)),
    };
    this.inFlight.set(runId, flight);
    try {
      await this.runClaimed(queued, attempt, source, schedule, flight);
    } catch (error) {
      this.deps.log?.('error', 'run failed in the worker', { runId, error: String(error) });
    } finally {
      this.inFlight.delete(runId);
      resolveDone();
    }
    return 'done';
  }

  private async runClaimed(
    queued: StoredRun,
    attempt: number,
    source: string,
    schedule: Pick<ScheduleSpec, 'backoff'>,
    flight: InFlight,
  ): Promise<void> {
    const { store, clock, leaseMs } = this.deps;
    const runId = queued.id;
    // Checked after the claim, so the refusal is the run's own final state (and its alert).
    const refused = await this.persist(runId, () => runAsRefusal(store, queued));
    // What its kernel may read: the owner's grants now (checked again at each attempt, like the refusal).
    const fileAccess =
      refused === undefined ? await this.persist(runId, () => runFileAccess(store, queued)) : undefined;
    if (refused !== undefined) {
      this.deps.log?.('warn', 'run refused: its owner may not run it', {
        runId,
        notebook: queued.path,
        error: refused,
      });
      if (
        await this.persist(runId, () =>
          store.finish(runId, attempt, { status: 'error', error: refused, now: clock.now() }),
        )
      )
        await this.final(runId, undefined);
      return;
    }
    let fenced = false;
    const beat = async () => {
      try {
        if (!(await store.heartbeat(runId, attempt, leaseMs, clock.now()))) {
          fenced = true;
          flight.abort.abort();
        }
      } catch (error) {
        // the database is away (a restart): keep running, the next beat tries again
        this.deps.log?.('warn', 'heartbeat failed', { runId, error: String(error) });
      }
    };
    const heartbeat = setInterval(() => void beat(), Math.max(50, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    this.deps.log?.('info', 'run started', {
      runId,
      notebook: queued.path,
      attempt,
      worker: this.deps.worker,
    });
    this.started(queued, attempt);
    let record: RunRecord | undefined;
    let inputError: string | undefined;
    try {
      const [{ runNotebook, RunInputError }, { loadNotebook }] = await Promise.all([
        import('../runner/run.js'),
        import('../runner/load.js'),
      ]);
      try {
        const result = await runNotebook({
          notebook: await loadNotebook(join(this.deps.workspace, queued.path), source),
          workspace: this.deps.workspace,
          id: runId,
          params: queued.params,
          paramSource: 'json',
          signal: flight.abort.signal,
          limits: {
            ...(queued.timeoutMs ? { timeoutMs: queued.timeoutMs } : {}),
            ...(this.deps.heapMb ? { heapMb: this.deps.heapMb } : {}),
          },
          secrets: this.deps.secrets,
          // A secret granted to certain users is read as the run's owner (checked above to still
          // be allowed to run it); a run without one reads as nobody (secrets/grants.ts).
          ...(queued.ownerId !== undefined
            ? { secretUser: { kind: 'account' as const, id: queued.ownerId } }
            : {}),
          kernels: this.deps.kernels,
          ...(fileAccess ? { fileAccess } : {}),
        });
        record = result.record;
      } catch (error) {
        if (!(error instanceof RunInputError)) throw error;
        inputError = error.message;
      }
    } finally {
      clearInterval(heartbeat);
    }
    if (fenced) {
      this.deps.log?.('warn', 'lease lost: the run was taken over; this attempt writes nothing', {
        runId,
        attempt,
      });
      return;
    }
    if (flight.released) {
      if (await this.persist(runId, () => store.release(runId, attempt, clock.now())))
        await this.persist(runId, () => this.deps.requeue(runId, clock.now()));
      this.deps.log?.('info', 'run released for another worker', { runId, attempt });
      return;
    }
    if (inputError !== undefined) {
      // Bad input (a param that no longer fits, a source that does not parse) fails the same way
      // on every attempt: no retry.
      await this.persist(runId, () =>
        store.finish(runId, attempt, { status: 'error', error: inputError!, now: clock.now() }),
      );
      await this.final(runId, undefined);
      return;
    }
    const failed = record!.status !== 'ok';
    if (failed && attempt < (await this.persist(runId, () => this.maxAttempts(runId)))) {
      const delay = retryDelay(attempt, schedule.backoff);
      const error = failureSummary(record!) ?? record!.status;
      const notBefore = clock.now() + delay;
      if (
        await this.persist(runId, () =>
          retryRecorded(store, runId, attempt, notBefore, record!, error, clock.now()),
        )
      ) {
        this.deps.onRetry?.(queued, delay, error);
        this.deps.log?.('warn', 'run failed; retrying', { runId, attempt, delayMs: delay, error });
        await this.persist(runId, () => this.deps.requeue(runId, notBefore));
      }
      return;
    }
    if (await this.persist(runId, () => finishRecorded(store, runId, attempt, record!)))
      await this.final(runId, record);
  }

  /**
   * A write that ends an attempt, retried while the database is away (a restart): giving up would
   * throw the run's result away and make it run again once its lease expires. Tries for as long as
   * the lease lasts; after that another worker may own the run, and fencing decides.
   */
  private async persist<T>(runId: string, write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.deps.leaseMs;
    for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
      try {
        return await write();
      } catch (error) {
        if (Date.now() + delay > deadline) throw error;
        this.deps.log?.('warn', 'store write failed; retrying', {
          runId,
          error: String(error),
          delayMs: delay,
        });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async maxAttempts(runId: string): Promise<number> {
    return (await this.deps.store.get(runId))?.maxAttempts ?? 1;
  }

  private async final(runId: string, record: RunRecord | undefined): Promise<void> {
    const run = await this.deps.store.get(runId);
    if (!run) return;
    this.deps.log?.(run.status === 'ok' ? 'info' : 'warn', 'run finished', {
      runId,
      notebook: run.path,
      status: run.status,
      attempt: run.attempt,
      durationMs: run.durationMs,
      ...(run.error ? { error: run.error } : {}),
    });
    try {
      await this.deps.onFinal?.(run, record);
    } catch (error) {
      this.deps.log?.('error', 'after-run hook failed', { runId, error: String(error) });
    }
  }

  /** The `onStarted` hook; a hook that throws is logged, the run goes on. */
  private started(run: StoredRun, attempt: number): void {
    try {
      this.deps.onStarted?.(run, attempt);
    } catch (error) {
      this.deps.log?.('error', 'run-start hook failed', { runId: run.id, error: String(error) });
    }
  }

  /** Graceful stop: the runs still going are stopped and handed back to the queue. */
  async releaseAll(): Promise<void> {
    const flights = [...this.inFlight.values()];
    for (const flight of flights) {
      flight.released = true;
      flight.abort.abort();
    }
    await Promise.all(flights.map((f) => f.done));
  }
}
