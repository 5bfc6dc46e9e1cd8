/**
 * Time for the scheduler and the queues, injectable: the system clock in production, a manual
 * clock in tests, so DST changes, downtime and backoff are tested without waiting.
 */
import { MAX_TIMER_MS } from '../runner/limits.js';

export interface Clock {
  now(): number;
  /**
   * Calls `fn` once `ms` have passed on this clock; returns a cancel function. A promise `fn`
   * returns is awaited by the manual clock before it moves on (the system clock ignores it).
   */
  setTimer(ms: number, fn: () => void | Promise<void>): () => void;
}

// setTimeout fires at once past MAX_TIMER_MS (~24.8 days): longer waits are taken in steps.

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    let handle: NodeJS.Timeout;
    const due = Date.now() + ms;
    const arm = () => {
      const left = due - Date.now();
      handle = setTimeout(
        left > MAX_TIMER_MS ? arm : () => void fn(),
        Math.min(Math.max(0, left), MAX_TIMER_MS),
      );
      handle.unref?.();
    };
    arm();
    return () => clearTimeout(handle);
  },
};

/** A clock that moves only when told to; timers due by then fire in time order. */
export class ManualClock implements Clock {
  private timers: { due: number; fn: () => void | Promise<void>; id: number }[] = [];
  private nextId = 1;

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void | Promise<void>): () => void {
    const id = this.nextId++;
    this.timers.push({ due: this.time + Math.max(0, ms), fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Moves to `time`, firing due timers one by one (each sees the clock at its due time). */
  async advanceTo(time: number): Promise<void> {
    for (;;) {
      this.timers.sort((a, b) => a.due - b.due || a.id - b.id);
      const first = this.timers[0];
      if (!first || first.due > time) break;
      this.timers.shift();
      this.time = Math.max(this.time, first.due);
      await first.fn();
    }
    this.time = time;
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.time + ms);
  }

  get pending(): number {
    return this.timers.length;
  }
}
