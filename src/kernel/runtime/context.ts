/**
 * Which cell's code is running: every execution runs inside an async context (AsyncLocalStorage),
 * so code a cell scheduled — a timer, a promise continuation, a stream callback, a library's
 * background loop — keeps its cell's identity after the cell finished and while other cells run.
 * The runtime uses it to route outputs and errors to the cell that caused them (or nowhere, when
 * that run is over), to answer `secrets.get` only to the declaring cell's own code, and to cancel a
 * cell's timers when it runs again or is deleted.
 *
 * The store is an opaque token; the run it stands for is looked up in a WeakMap through captured
 * built-ins, so user code that finds the token (async_hooks can show it) learns nothing from it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { OutputBudget } from '../output-cap.js';
import { create, freeze, storageGet, storageRun, weakMapGet, weakMapSet } from './primordials.js';

export interface CellRun {
  /** the host's unguessable id of this execution, echoed in every notification about it */
  readonly execution: string;
  readonly cellId: string;
  readonly budget: OutputBudget;
  /** what `secrets.get` answers to this run's own code while it runs */
  readonly secrets: Readonly<Record<string, string>>;
  /** set when the execution reported back: its code may go on running, but it no longer owns anything */
  finished: boolean;
}

const storage = new AsyncLocalStorage<object>();
const runs = new WeakMap<object, CellRun>();
let running: CellRun | undefined;

/** Runs `fn` as the code of `run`; `run` becomes the execution in progress. */
export function runInCell<T>(run: CellRun, fn: () => T): T {
  const token = freeze(create(null) as object);
  weakMapSet(runs, token, run);
  running = run;
  return storageRun(storage, token, fn);
}

/** The execution reported back: nothing it left behind can write into another cell's record. */
export function finishCell(run: CellRun): void {
  run.finished = true;
  if (running === run) running = undefined;
}

/** The execution in progress, if any. */
export function runningCell(): CellRun | undefined {
  return running;
}

/** The run whose code is executing now (undefined: code no cell scheduled, e.g. the runtime's own). */
export function contextCell(): CellRun | undefined {
  const token = storageGet(storage);
  return token === undefined ? undefined : weakMapGet(runs, token);
}

/**
 * Where an output or error produced now belongs: the running cell when the code is its own (or
 * nobody's, as native callbacks without a context), nothing when it is another run's leftover.
 */
export function owningCell(): CellRun | undefined {
  const cell = contextCell();
  if (cell === undefined) return running;
  return cell === running && !cell.finished ? cell : undefined;
}
