/**
 * What a run has failed and skipped so far, for `runFinished` and so that a cell it already
 * settled is not retried. Immutable, and each addition shares everything before it: a run that
 * fails or skips n cells costs O(n log n), not a copy of the lists per cell.
 */
import { PersistentMap } from './persistent-map.js';

/** A list built by prepending: the newest id first. */
type Stack = { readonly head: string; readonly rest: Stack } | null;

export interface RunProgress {
  readonly errors: Stack;
  readonly skipped: Stack;
  /** the cells in `errors` or `skipped` */
  readonly settled: PersistentMap<true>;
}

export const newRun = (): RunProgress => ({ errors: null, skipped: null, settled: PersistentMap.empty() });

export const withError = (run: RunProgress, id: string): RunProgress => ({
  ...run,
  errors: { head: id, rest: run.errors },
  settled: run.settled.set(id, true),
});

export const withSkipped = (run: RunProgress, id: string): RunProgress => ({
  ...run,
  skipped: { head: id, rest: run.skipped },
  settled: run.settled.set(id, true),
});

/** The ids in the order they were added. */
export function inRunOrder(stack: Stack): string[] {
  const ids: string[] = [];
  for (let s = stack; s !== null; s = s.rest) ids.push(s.head);
  return ids.reverse();
}
