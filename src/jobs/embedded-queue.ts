/**
 * The embedded queue: the run store itself. A pump takes due runs (queued, retry time passed)
 * while this process has free places; it wakes on `enqueue` from this process, and polls the
 * store for runs queued by others (`quire submit` next to a `quire serve`) and for retries that
 * became due.
 */
import type { Clock } from './clock.js';
import type { HandlerOutcome, RunQueue } from './queue.js';
import { BUSY_RETRY_MS } from './queue.js';
import type { RunStore } from '../store/run-store.js';

export interface EmbeddedQueueOptions {
  store: RunStore;
  concurrency: number;
  clock: Clock;
  /** how often the store is read for runs queued by other processes (default 250 ms) */
  pollMs?: number;
  onError?: (error: unknown) => void;
}

export class EmbeddedQueue implements RunQueue {
  readonly kind = 'embedded' as const;
  private handler: ((runId: string) => Promise<HandlerOutcome>) | undefined;
  private readonly inFlight = new Set<string>();
  /** runs refused as busy, not offered again before the time given */
  private readonly resting = new Map<string, number>();
  private taking = false;
  private pumping = false;
  private again = false;
  private cancelPoll: (() => void) | undefined;
  private cancelWake: (() => void) | undefined;

  constructor(private readonly options: EmbeddedQueueOptions) {}

  async enqueue(_runId: string, runAt?: number): Promise<void> {
    // The run is in the store already; only the wake-up time matters.
    if (runAt !== undefined && runAt > this.options.clock.now()) this.wakeAt(runAt);
    else this.pump();
  }

  async start(handler: (runId: string) => Promise<HandlerOutcome>): Promise<void> {
    this.handler = handler;
    this.taking = true;
    this.poll();
    this.pump();
  }

  async stopTaking(): Promise<void> {
    this.taking = false;
    this.cancelPoll?.();
    this.cancelWake?.();
  }

  depth(): Promise<number> {
    return this.options.store.count('queued');
  }

  private poll(): void {
    if (!this.taking) return;
    this.cancelPoll = this.options.clock.setTimer(this.options.pollMs ?? 250, () => {
      this.pump();
      this.poll();
    });
  }

  private wakeAt(time: number): void {
    this.cancelWake?.();
    this.cancelWake = this.options.clock.setTimer(Math.max(0, time - this.options.clock.now()), () =>
      this.pump(),
    );
  }

  /** One pump at a time; a call while pumping makes it go round once more. */
  private pump(): void {
    if (!this.taking || !this.handler) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.fill()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async fill(): Promise<void> {
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) return;
    const now = this.options.clock.now();
    for (const [id, until] of this.resting) if (until <= now) this.resting.delete(id);
    const due = await this.options.store.due(now, free + this.inFlight.size + this.resting.size + 10);
    let started = 0;
    for (const run of due) {
      if (started >= free || !this.taking) break;
      if (this.inFlight.has(run.id) || this.resting.has(run.id)) continue;
      started++;
      this.inFlight.add(run.id);
      void this.handler!(run.id)
        .then((outcome) => {
          if (outcome === 'busy') this.resting.set(run.id, this.options.clock.now() + BUSY_RETRY_MS);
        })
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.inFlight.delete(run.id);
          this.pump();
        });
    }
  }
}
