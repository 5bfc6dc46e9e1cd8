/**
 * A run's limits, read and bounded in one place: the whole-run time limit (`--timeout`, a
 * schedule's `timeout`), the longest wait a timer can take, and the kernel's heap limit. Every
 * command, the server and the jobs take their durations and timer bounds from here.
 */
import { parseDuration } from '../format/duration.js';
import { RunInputError } from './errors.js';

/** The limits a run is given by its caller (a cell's own `timeout` comes from the notebook). */
export interface RunLimits {
  /** a limit for the whole run */
  timeoutMs?: number;
  /** the kernel's V8 heap limit in MB (default: `QUIRE_KERNEL_HEAP_MB`, else the kernel's own default) */
  heapMb?: number;
}

/** setTimeout fires at once past 2^31-1 ms (about 24.8 days): longer waits need steps or no timer. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A time limit a timer can hold: a longer one is no limit. */
export const asTimerLimit = (ms: number | undefined): number | undefined =>
  ms === undefined || ms > MAX_TIMER_MS ? undefined : ms;

/**
 * A time limit as written on a command line (`90s`, `10m`, `1.5h`): more than zero. Throws an
 * Error whose message says what is wrong (the caller adds the flag's name).
 */
export function parseTimeLimit(text: string): number {
  const ms = parseDuration(text);
  if (ms <= 0) throw new Error(`the limit must be more than zero, got "${text}"`);
  return ms;
}

/** The kernel heap limit from `QUIRE_KERNEL_HEAP_MB`; a value that is not a whole number ≥ 16 is bad input. */
export function heapMbFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.QUIRE_KERNEL_HEAP_MB?.trim();
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 16) {
    throw new RunInputError(
      `QUIRE_KERNEL_HEAP_MB: expected a whole number of megabytes (at least 16), got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
