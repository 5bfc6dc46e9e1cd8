/**
 * Puts the jobs together for a process: the queue that fits the store (embedded on SQLite,
 * graphile-worker on PostgreSQL), the job service that executes runs, and — in a server — the
 * scheduler. `quire serve` and `quire worker` call this; `quire submit` uses `queueFor` alone.
 */
import type { KernelFactory } from '../kernel/types.js';
import type { RunRecord } from '../runner/record.js';
import type { SecretSource } from '../secrets/source.js';
import { hostSecretSource } from '../secrets/store-source.js';
import type { RunStore } from '../store/run-store.js';
import type { StoredRun } from '../store/types.js';
import { systemClock, type Clock } from './clock.js';
import { EmbeddedQueue } from './embedded-queue.js';
import { GraphileQueue } from './graphile-queue.js';
import type { RunQueue } from './queue.js';
import { scheduleOwnerOf } from './schedule-owner.js';
import { Scheduler, type NotebookSource } from './scheduler.js';
import { JobService } from './service.js';

export type JobLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown>,
) => void;

export function queueFor(
  store: RunStore,
  options: { dbUrl?: string; concurrency: number; clock?: Clock; onError?: (error: unknown) => void },
): RunQueue {
  if (store.db.dialect === 'postgres') {
    if (!options.dbUrl) throw new Error('a PostgreSQL store needs its URL for the job queue');
    return new GraphileQueue({
      connectionString: options.dbUrl,
      store,
      concurrency: options.concurrency,
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }
  return new EmbeddedQueue({
    store,
    concurrency: options.concurrency,
    clock: options.clock ?? systemClock,
    ...(options.onError ? { onError: options.onError } : {}),
  });
}

export interface StartJobsOptions {
  store: RunStore;
  /** the PostgreSQL URL when the store is on PostgreSQL (the queue connects itself) */
  dbUrl?: string;
  workspace: string;
  worker: string;
  /** runs this process executes at once (default 2) */
  concurrency?: number;
  /** runs at once across every process sharing the store */
  globalCap?: number;
  /** the quota of runs a user may have queued or running (JobService.submit) */
  runsPerUser?: number;
  leaseMs?: number;
  heapMb?: number;
  /** makes the runs' kernels (default: child-process kernels) */
  kernels?: KernelFactory;
  /**
   * where the runs' secrets come from (default: this process's environment, `QUIRE_SECRET_<NAME>`,
   * then the secret store in `store` with the workspace's master key)
   */
  secrets?: SecretSource;
  /** a server also fires schedules; workers only execute */
  schedules?: { load: () => Promise<NotebookSource[]> };
  clock?: Clock;
  log?: JobLog;
  /** an attempt of a run began in this process (`quire worker`'s audit `run.started`) */
  onStarted?: (run: StoredRun, attempt: number) => void;
  onFinal?: (run: StoredRun, record: RunRecord | undefined) => void | Promise<void>;
  onFired?: (path: string, slot: number, lagMs: number) => void;
}

export interface Jobs {
  service: JobService;
  queue: RunQueue;
  scheduler: Scheduler | undefined;
  /** graceful: no new runs, in-flight ones get `graceMs`, then are released */
  stop(graceMs?: number): Promise<void>;
}

export async function startJobs(options: StartJobsOptions): Promise<Jobs> {
  const clock = options.clock ?? systemClock;
  const log = options.log;
  const queue = queueFor(options.store, {
    ...(options.dbUrl ? { dbUrl: options.dbUrl } : {}),
    concurrency: options.concurrency ?? 2,
    clock,
    onError: (error) => log?.('error', 'queue error', { error: String(error) }),
  });
  const service = new JobService({
    store: options.store,
    queue,
    clock,
    worker: options.worker,
    workspace: options.workspace,
    // The edge of a worker process: its kernels and secrets are chosen here, or by the server.
    // (Loaded here, not at the top: `quire submit` needs this module's queueFor alone.)
    kernels: options.kernels ?? (await import('../kernel/factory.js')).spawnKernel,
    secrets: options.secrets ?? hostSecretSource(options.store.db, options.workspace).source,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.globalCap !== undefined ? { globalCap: options.globalCap } : {}),
    ...(options.runsPerUser !== undefined ? { runsPerUser: options.runsPerUser } : {}),
    ...(options.heapMb ? { heapMb: options.heapMb } : {}),
    ...(options.onStarted ? { onStarted: options.onStarted } : {}),
    ...(options.onFinal ? { onFinal: options.onFinal } : {}),
    ...(log ? { log } : {}),
  });
  await service.start();
  let scheduler: Scheduler | undefined;
  if (options.schedules) {
    scheduler = new Scheduler({
      store: options.store,
      clock,
      load: options.schedules.load,
      ownerOf: (path, source) => scheduleOwnerOf(options.store, path, source),
      submit: (run) => service.submit(run),
      ...(options.onFired ? { onFired: options.onFired } : {}),
      ...(log ? { log } : {}),
    });
    await scheduler.start();
  }
  return {
    service,
    queue,
    scheduler,
    async stop(graceMs) {
      scheduler?.stop();
      await service.stop(graceMs);
    },
  };
}
