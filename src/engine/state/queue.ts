/**
 * The run queue: what to run, in which order, one cell at a time, and what to skip when a cell
 * fails. Before a cell is executed its inputs are checked again: an upstream cell whose value is
 * not in the kernel (never run, edited, lost to a restart) is run first; one that cannot run
 * (failed, `run=false`) makes the cell `skipped`, naming the cause.
 *
 * Every step here costs what the cell at hand touches (its edges, its dependents), never a pass
 * over the whole notebook: a run of n cells must cost O(n log n) (bench/cells-scaling.ts).
 */
import { inOrder, staleAfter } from '../../graph/index.js';
import type { ErrorData } from '../../outputs/types.js';
import { isRunnable, staticError } from './cells.js';
import type { Draft } from './draft.js';
import { inRunOrder, newRun, withError, withSkipped } from './progress.js';
import type { Failure } from './types.js';

/** Adds runnable `ids` (and the upstream cells they need) to the queue, then advances it. */
export function enqueue(d: Draft, ids: readonly string[]): void {
  d.run ??= newRun();
  const add = (id: string): void => {
    if (d.queue.has(id)) return;
    d.enqueueCell(id);
    if (d.running !== id) d.setStatus(id, 'queued', { beforeQueued: d.rt(id).status });
  };
  for (const id of ids) {
    const cell = d.cell(id);
    if (!cell || !isRunnable(cell)) continue;
    neededUpstream(d, id, false).forEach(add);
    add(id);
  }
  advance(d);
}

/**
 * Runnable upstream cells of `id` whose values are not current and that are not queued yet (nor,
 * with `excludeSettled`, settled by this run: the cells it already failed or skipped, which must
 * not be retried forever). Iterative: a chain of 20,000 cells is 20,000 deep.
 */
function neededUpstream(d: Draft, id: string, excludeSettled: boolean): string[] {
  const settled = excludeSettled ? d.run?.settled : undefined;
  const needed = new Set<string>();
  const todo = [id];
  while (todo.length > 0) {
    for (const up of d.graph.upstream.get(todo.pop()!) ?? []) {
      if (needed.has(up) || d.queue.has(up) || settled?.has(up) || d.rt(up).current) continue;
      const cell = d.cell(up);
      if (!cell || !isRunnable(cell)) continue;
      // The running cell will be current when it finishes, unless it was edited meanwhile.
      if (up === d.running && !d.rt(up).invalidatedWhileRunning) continue;
      needed.add(up);
      todo.push(up);
    }
  }
  return inOrder(d.graph, needed);
}

/** Executes the next cell that can run, unless one is running or the kernel is being replaced. */
export function advance(d: Draft): void {
  while (d.running === null && !d.awaitingKernel && d.queue.length > 0) {
    const id = d.queue.first()!;
    d.queue = d.queue.rest();
    const cell = d.cell(id);
    if (!cell) continue;
    if (!isRunnable(cell)) {
      d.setStatus(id, 'idle');
      continue;
    }
    const error = staticError(d, id);
    if (error) {
      fail(d, id, error, 'static');
      continue;
    }
    const missing = neededUpstream(d, id, true);
    if (missing.length > 0) {
      // Values were lost (restart, edit) since the plan was made: run what this cell needs first.
      d.enqueueCell(id);
      for (const m of missing) {
        d.setStatus(m, 'queued', { beforeQueued: d.rt(m).status });
        d.enqueueCell(m);
      }
      continue;
    }
    const blocker = blockingUpstream(d, id);
    if (blocker) {
      skip(d, id, blocker);
      continue;
    }
    d.running = id;
    d.setStatus(id, 'running');
    d.effects.push({ type: 'execute', cellId: id });
  }
  finishRunIfDrained(d);
}

function finishRunIfDrained(d: Draft): void {
  if (d.running !== null || d.queue.length > 0 || !d.run) return;
  d.effects.push({
    type: 'runFinished',
    errors: inRunOrder(d.run.errors),
    skipped: inRunOrder(d.run.skipped),
  });
  d.run = null;
}

/** The cause to name when an input of `id` has no current value and will not get one. */
function blockingUpstream(d: Draft, id: string): string | undefined {
  for (const up of d.graph.upstream.get(id) ?? []) {
    const rt = d.rt(up);
    if (rt.current) continue;
    return rt.status === 'skipped' && rt.skippedBecause ? rt.skippedBecause : up;
  }
  return undefined;
}

/** The cell failed: it shows the error, and its queued dependents are skipped naming it. */
export function fail(d: Draft, id: string, error: ErrorData | undefined, failure: Failure): void {
  d.patch(id, { current: false });
  d.setStatus(id, 'error', { ...(error && { error }), failure });
  if (d.run) d.run = withError(d.run, id);
  skipDependents(d, id);
}

/** Queued dependents are skipped, except those broken themselves (a cycle's other cells): error. */
function skipDependents(d: Draft, id: string): void {
  const dependents = staleAfter(d.graph, [id]).filter((dep) => dep !== id);
  for (const dep of dependents) {
    d.patch(dep, { current: false });
    if (!d.queue.has(dep)) continue;
    const own = staticError(d, dep);
    if (own) {
      d.setStatus(dep, 'error', { error: own, failure: 'static' });
      if (d.run) d.run = withError(d.run, dep);
      d.queue = d.queue.delete(dep);
    } else skip(d, dep, id);
  }
}

function skip(d: Draft, id: string, because: string): void {
  d.patch(id, { current: false });
  d.setStatus(id, 'skipped', { skippedBecause: because });
  if (d.run) d.run = withSkipped(d.run, id);
  d.queue = d.queue.delete(id);
}
