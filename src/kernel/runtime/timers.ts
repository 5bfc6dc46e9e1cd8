/**
 * A cell's timers belong to the cell: `setTimeout`, `setInterval` and `setImmediate` (the globals
 * and `node:timers`) remember the cell whose code scheduled them, and a cell's pending timers are
 * cancelled when it runs again or is deleted — a re-run must not leave last run's interval behind
 * to print into, or fail, another cell. Timers no cell scheduled (the runtime's own) are not tracked.
 */
import { syncBuiltinESMExports } from 'node:module';
import timers from 'node:timers';
import { contextCell, type CellRun } from './context.js';

type Handle = NodeJS.Timeout | NodeJS.Immediate;

const pending = new WeakMap<CellRun, Set<Handle>>();
const byCell = new Map<string, CellRun>();

const real = {
  setTimeout: timers.setTimeout,
  setInterval: timers.setInterval,
  setImmediate: timers.setImmediate,
  clearTimeout: timers.clearTimeout,
  clearInterval: timers.clearInterval,
  clearImmediate: timers.clearImmediate,
};

function handlesOf(cell: CellRun): Set<Handle> {
  let set = pending.get(cell);
  if (!set) pending.set(cell, (set = new Set()));
  return set;
}

function untrack(handle: unknown): void {
  const cell = contextCell();
  if (cell && handle) pending.get(cell)?.delete(handle as Handle);
}

/** Wraps a one-shot scheduler so the handle is forgotten once it fires. */
function oneShot<A extends unknown[]>(
  schedule: (callback: (...args: A) => void, ...rest: unknown[]) => Handle,
): (callback: (...args: A) => void, ...rest: unknown[]) => Handle {
  return function (this: unknown, callback, ...rest) {
    const cell = contextCell();
    if (!cell || typeof callback !== 'function') return schedule.call(this, callback, ...rest);
    const handles = handlesOf(cell);
    const handle = schedule.call(
      this,
      function (this: unknown, ...args: A) {
        handles.delete(handle);
        return callback.apply(this, args);
      },
      ...rest,
    );
    handles.add(handle);
    return handle;
  };
}

function repeating(
  schedule: (callback: (...args: unknown[]) => void, ...rest: unknown[]) => Handle,
): (callback: (...args: unknown[]) => void, ...rest: unknown[]) => Handle {
  return function (this: unknown, callback, ...rest) {
    const handle = schedule.call(this, callback, ...rest);
    const cell = contextCell();
    if (cell) handlesOf(cell).add(handle);
    return handle;
  };
}

function clearing(clear: (handle: never) => void): (handle: unknown) => void {
  return function (handle) {
    untrack(handle);
    clear(handle as never);
  };
}

/** Cancels every pending timer of `cellId`'s last run and forgets it. */
export function cancelTimers(cellId: string): void {
  const cell = byCell.get(cellId);
  if (!cell) return;
  byCell.delete(cellId);
  const handles = pending.get(cell);
  if (!handles) return;
  for (const handle of handles) {
    real.clearTimeout(handle as NodeJS.Timeout);
    real.clearImmediate(handle as NodeJS.Immediate);
  }
  handles.clear();
}

/** `cell` is now `cellId`'s run: its previous run's timers are cancelled. */
export function adoptTimers(cell: CellRun): void {
  cancelTimers(cell.cellId);
  byCell.set(cell.cellId, cell);
}

export function installTimers(): void {
  const wrapped = {
    setTimeout: oneShot(real.setTimeout as never),
    setImmediate: oneShot(real.setImmediate as never),
    setInterval: repeating(real.setInterval as never),
    clearTimeout: clearing(real.clearTimeout),
    clearInterval: clearing(real.clearInterval),
    clearImmediate: clearing(real.clearImmediate),
  };
  // `util.promisify(setTimeout)` and friends read this symbol; keep what node:timers/promises offers.
  for (const name of ['setTimeout', 'setImmediate'] as const) {
    const custom = (real[name] as unknown as Record<symbol, unknown>)[
      Symbol.for('nodejs.util.promisify.custom')
    ];
    if (custom)
      Object.defineProperty(wrapped[name], Symbol.for('nodejs.util.promisify.custom'), { value: custom });
  }
  for (const [name, fn] of Object.entries(wrapped)) {
    Object.defineProperty(globalThis, name, {
      value: fn,
      writable: true,
      configurable: true,
      enumerable: true,
    });
    (timers as unknown as Record<string, unknown>)[name] = fn;
  }
  // `import { setTimeout } from 'node:timers'` sees the wrapped functions too.
  syncBuiltinESMExports();
}
