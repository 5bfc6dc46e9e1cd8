/**
 * The scale-out queue on PostgreSQL: graphile-worker (0.17, the newest for Node 20; see
 * docs/decisions.md). A job carries only the run id: the run's source, params and state are in the
 * run store, which also fences attempts, so graphile-worker's own retries are off (maxAttempts 1)
 * and a job that finds its run already taken or final does nothing. The job key is the run id:
 * enqueueing a run twice (a retry, a lease that expired) replaces its waiting job.
 */
import { createRequire } from 'node:module';
import type * as GraphileWorker from 'graphile-worker';
import type { HandlerOutcome, RunQueue } from './queue.js';
import { BUSY_RETRY_MS } from './queue.js';
import type { RunStore } from '../store/run-store.js';

const require = createRequire(import.meta.url);
const TASK = 'quire_run';

export interface GraphileQueueOptions {
  connectionString: string;
  store: RunStore;
  concurrency: number;
  /** how often graphile-worker looks for jobs that became due (retries); new jobs come by NOTIFY */
  pollMs?: number;
  onError?: (error: unknown) => void;
}

export class GraphileQueue implements RunQueue {
  readonly kind = 'postgres' as const;
  private runner: GraphileWorker.Runner | undefined;
  private utils: GraphileWorker.WorkerUtils | undefined;

  constructor(private readonly options: GraphileQueueOptions) {}

  private get worker(): typeof GraphileWorker {
    return require('graphile-worker') as typeof GraphileWorker;
  }

  private async workerUtils(): Promise<GraphileWorker.WorkerUtils> {
    this.utils ??= await this.worker.makeWorkerUtils({ connectionString: this.options.connectionString });
    return this.utils;
  }

  async enqueue(runId: string, runAt?: number): Promise<void> {
    const utils = await this.workerUtils();
    await utils.addJob(
      TASK,
      { runId },
      { jobKey: runId, jobKeyMode: 'replace', maxAttempts: 1, ...(runAt ? { runAt: new Date(runAt) } : {}) },
    );
  }

  async start(handler: (runId: string) => Promise<HandlerOutcome>): Promise<void> {
    const task: GraphileWorker.Task = async (payload, helpers) => {
      const runId = (payload as { runId?: unknown }).runId;
      if (typeof runId !== 'string') return;
      const outcome = await handler(runId);
      if (outcome === 'busy') {
        // A cap is reached: the run waits in the store; offer it again shortly.
        await helpers.addJob(
          TASK,
          { runId },
          { jobKey: `${runId}:busy`, runAt: new Date(Date.now() + BUSY_RETRY_MS), maxAttempts: 1 },
        );
      }
    };
    this.runner = await this.worker.run({
      connectionString: this.options.connectionString,
      concurrency: this.options.concurrency,
      noHandleSignals: true,
      pollInterval: this.options.pollMs ?? 1000,
      taskList: { [TASK]: task },
      logger: new this.worker.Logger(() => (level, message) => {
        if (level === 'error') this.options.onError?.(new Error(message));
      }),
    });
  }

  async stopTaking(): Promise<void> {
    // graphile-worker's stop waits for the jobs it runs: our handlers end (finish or release)
    // once the caller has waited out its grace period and aborted them.
    const runner = this.runner;
    this.runner = undefined;
    await runner?.stop();
    await this.utils?.release();
    this.utils = undefined;
  }

  depth(): Promise<number> {
    return this.options.store.count('queued');
  }
}
