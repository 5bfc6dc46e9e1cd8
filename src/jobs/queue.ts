/**
 * How queued runs reach a process that executes them. The run store holds the truth (status,
 * attempts, leases); a queue only says "run X can be taken now, or at T". Embedded (SQLite): the
 * server polls the store. Scale-out (PostgreSQL): graphile-worker delivers jobs through
 * LISTEN/NOTIFY and SKIP LOCKED, so any number of workers share the load.
 */

/** What a handler tells the queue: `busy` means a cap was reached: offer the run again later. */
export type HandlerOutcome = 'done' | 'busy';

export interface RunQueue {
  readonly kind: 'embedded' | 'postgres';
  /** makes the run available to takers now, or not before `runAt` (ms) */
  enqueue(runId: string, runAt?: number): Promise<void>;
  /** starts taking runs; at most `concurrency` handlers run at once in this process */
  start(handler: (runId: string) => Promise<HandlerOutcome>): Promise<void>;
  /** stops taking new runs; handlers already running go on (the caller waits for them) */
  stopTaking(): Promise<void>;
  /** runs waiting to be taken (for metrics) */
  depth(): Promise<number>;
}

/** How long a run refused as `busy` waits before it is offered again. */
export const BUSY_RETRY_MS = 1000;
