/**
 * The run service of one process (`quire serve` or `quire worker`): takes queued runs from its
 * queue and executes them, at most `concurrency` at once; submits new runs; and keeps the store
 * healthy — runs whose worker died (lease passed, or a local pid gone) go back to the queue or
 * fail, per their attempts.
 *
 * SIGTERM (`stop`): stop taking runs, give the runs in flight `graceMs` to finish, then stop them
 * and hand them back (released: queued again without using an attempt), so another worker runs
 * them from the start.
 */
import { hostname } from 'node:os';
import { isProcessAlive } from '../shared/process-alive.js';
import type { KernelFactory } from '../kernel/types.js';
import type { RunRecord } from '../runner/record.js';
import type { SecretSource } from '../secrets/source.js';
import type { NewRun, RunStore } from '../store/run-store.js';
import type { StoredRun } from '../store/types.js';
import type { Clock } from './clock.js';
import { Executor } from './executor.js';
import type { RunQueue } from './queue.js';

export interface JobServiceOptions {
  store: RunStore;
  queue: RunQueue;
  clock: Clock;
  worker: string;
  workspace: string;
  /** makes the runs' kernels */
  kernels: KernelFactory;
  /** where the runs' secrets come from */
  secrets: SecretSource;
  /** the lease a running attempt renews (default 30 s): a dead worker's run is retried after it */
  leaseMs?: number;
  /** at most this many runs in all processes sharing the store */
  globalCap?: number;
  /**
   * The quota of runs one user may have queued or running (accounts mode; undefined: none). It
   * refuses a run a user asks for; a schedule's slot still fires, and its runs count.
   */
  runsPerUser?: number;
  heapMb?: number;
  onStarted?: (run: StoredRun, attempt: number) => void;
  onFinal?: (run: StoredRun, record: RunRecord | undefined) => void | Promise<void>;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
}

export const DEFAULT_LEASE_MS = 30_000;
/** a queued run due this long is offered to the queue again (PostgreSQL) */
const STALE_QUEUED_MS = 30_000;

export class JobService {
  readonly executor: Executor;
  private cancelMaintenance: (() => void) | undefined;
  private running = false;

  constructor(private readonly options: JobServiceOptions) {
    this.executor = new Executor({
      store: options.store,
      clock: options.clock,
      worker: options.worker,
      workspace: options.workspace,
      kernels: options.kernels,
      secrets: options.secrets,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      requeue: (id, at) => options.queue.enqueue(id, at),
      ...(options.globalCap !== undefined ? { globalCap: options.globalCap } : {}),
      ...(options.heapMb ? { heapMb: options.heapMb } : {}),
      ...(options.onStarted ? { onStarted: options.onStarted } : {}),
      ...(options.onFinal ? { onFinal: options.onFinal } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }

  get store(): RunStore {
    return this.options.store;
  }

  /**
   * Records a queued run (with its exact source) and offers it; undefined for a taken schedule key.
   * A run with an owner that is not a schedule's is held to the owner's quota (RunQuotaError).
   */
  async submit(
    run: Omit<NewRun, 'status' | 'ownerLimit'>,
    /** `unlimited`: the single-user owner's run (no quota: the machine is theirs) */
    options: { unlimited?: boolean } = {},
  ): Promise<StoredRun | undefined> {
    const { runsPerUser } = this.options;
    const limited =
      run.ownerId !== undefined &&
      run.trigger !== 'schedule' &&
      runsPerUser !== undefined &&
      options.unlimited !== true;
    const created = await this.options.store.create({
      now: this.options.clock.now(),
      ...run,
      ...(limited ? { ownerLimit: runsPerUser } : {}),
      status: 'queued',
    });
    if (created) await this.options.queue.enqueue(created.id, created.notBefore);
    return created;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.maintain();
    await this.options.queue.start((id) => this.executor.execute(id));
    this.scheduleMaintenance();
  }

  private scheduleMaintenance(): void {
    if (!this.running) return;
    const every = Math.max(100, Math.floor((this.options.leaseMs ?? DEFAULT_LEASE_MS) / 3));
    this.cancelMaintenance = this.options.clock.setTimer(every, async () => {
      await this.maintain();
      this.scheduleMaintenance();
    });
  }

  /** Lost runs back to the queue (or failed when out of attempts). Safe to run in every process. */
  async maintain(): Promise<void> {
    const { store, clock, queue } = this.options;
    try {
      const now = clock.now();
      const expired = await store.expireLeases(now);
      const dead = await store.reapDeadLocal(hostname(), isProcessAlive, now);
      for (const run of [...expired.requeued, ...dead.requeued]) {
        this.options.log?.('warn', 'run lost its worker; queued again', {
          runId: run.id,
          attempt: run.attempt,
          worker: run.worker,
        });
        await queue.enqueue(run.id);
      }
      if (queue.kind === 'postgres') {
        // A run queued in the store whose job was never added (the database went away between
        // the two writes) would wait forever: runs due for a while are offered again. The job key
        // is the run id, so a run that has its job is not offered twice.
        for (const run of await store.due(now - STALE_QUEUED_MS, 100)) {
          if (run.createdAt < now - STALE_QUEUED_MS) await queue.enqueue(run.id);
        }
      }
      for (const run of [...expired.failed, ...dead.failed]) {
        this.options.log?.('error', 'run lost its worker and has no attempts left', { runId: run.id });
        const final = await store.get(run.id);
        if (final) await this.options.onFinal?.(final, undefined);
      }
    } catch (error) {
      this.options.log?.('warn', 'maintenance failed (will retry)', { error: String(error) });
    }
  }

  /** Graceful stop: no new runs; in-flight ones get `graceMs`, then are released for another worker. */
  async stop(graceMs = 30_000): Promise<void> {
    this.running = false;
    this.cancelMaintenance?.();
    const stopping = this.options.queue.stopTaking();
    const flights = [...this.executor.inFlight.values()].map((f) => f.done);
    if (flights.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(flights),
        new Promise((r) => {
          timer = setTimeout(r, graceMs);
        }),
      ]);
      clearTimeout(timer);
      await this.executor.releaseAll();
    }
    await stopping;
  }
}
