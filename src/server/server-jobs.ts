/**
 * The jobs side of `quire serve`: the pool that executes queued runs (embedded store, or a share
 * of the PostgreSQL queue), the scheduler over the workspace's notebooks — re-read when a notebook
 * changes on disk — and the metrics, alerts and `run.finished` events (events.ts) of finished runs.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runObservers } from '../jobs/observe.js';
import { startJobs, type Jobs } from '../jobs/start.js';
import type { NotebookSource } from '../jobs/scheduler.js';
import type { KernelFactory } from '../kernel/types.js';
import type { Logger } from '../metrics/log.js';
import type { QuireMetrics } from '../metrics/registry.js';
import type { SecretSource } from '../secrets/source.js';
import { workerName, type RunStore } from '../store/run-store.js';
import { runFinished, type EventSink } from './events.js';
import { findNotebooks } from './scan.js';
import type { WorkspaceFiles } from './workspace-files.js';

export interface ServerJobsOptions {
  store: RunStore;
  /** the store's URL when it is PostgreSQL (the queue connects itself) */
  dbUrl?: string;
  workspace: string;
  files: WorkspaceFiles;
  metrics: QuireMetrics;
  log: Logger;
  /** runs this server executes at once (default 2) */
  concurrency?: number;
  /** runs at once across every process sharing the store */
  globalCap?: number;
  /** accounts mode: the runs one user may have queued or running (quotas.runsPerUser) */
  runsPerUser?: number;
  /** false: execute queued runs but fire no schedules */
  schedules?: boolean;
  kernels: KernelFactory;
  secrets: SecretSource;
  /** where a run's end goes as a `run.finished` event (the gate's sink) */
  events?: EventSink;
}

export interface ServerJobs {
  jobs: Jobs;
  stop(graceMs?: number): Promise<void>;
}

async function loadNotebooks(workspace: string): Promise<NotebookSource[]> {
  const sources: NotebookSource[] = [];
  for (const path of await findNotebooks(workspace)) {
    try {
      sources.push({ path, source: await readFile(join(workspace, path), 'utf8') });
    } catch {
      // removed while scanning
    }
  }
  return sources;
}

export async function startServerJobs(options: ServerJobsOptions): Promise<ServerJobs> {
  const { log } = options;
  const observers = await runObservers({
    store: options.store,
    workspace: options.workspace,
    metrics: options.metrics,
    log,
  });
  const jobs = await startJobs({
    store: options.store,
    ...(options.dbUrl ? { dbUrl: options.dbUrl } : {}),
    workspace: options.workspace,
    worker: workerName('server', hostname()),
    concurrency: options.concurrency ?? 2,
    kernels: options.kernels,
    secrets: options.secrets,
    ...(options.globalCap !== undefined ? { globalCap: options.globalCap } : {}),
    ...(options.runsPerUser !== undefined ? { runsPerUser: options.runsPerUser } : {}),
    ...(options.schedules === false ? {} : { schedules: { load: () => loadNotebooks(options.workspace) } }),
    log: (level, message, fields) => log[level](message, fields),
    onFinal: (run, record) => {
      observers.onFinal(run, record);
      try {
        options.events?.emit(runFinished(run));
      } catch (error) {
        // A sink must not throw; if one does, the run's end stands and the log says why.
        log.error('run.finished event failed', { err: error, runId: run.id });
      }
    },
    onFired: observers.onFired,
  });
  // A notebook saved, pulled or deleted may change its schedule: re-read them (debounced).
  let pending: NodeJS.Timeout | undefined;
  const unwatch = jobs.scheduler
    ? options.files.watch(() => {
        clearTimeout(pending);
        pending = setTimeout(() => void jobs.scheduler?.reload(), 200);
      })
    : () => undefined;
  return {
    jobs,
    async stop(graceMs) {
      clearTimeout(pending);
      unwatch();
      await jobs.stop(graceMs);
      await observers.drain();
    },
  };
}
