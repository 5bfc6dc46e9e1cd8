/**
 * Keeping the graph and the "kernel holds a current value" facts right after the notebook changes.
 *
 * Invariant: a cell is `current` only if every cell upstream of it is current. Whatever changes a
 * cell's source or inputs therefore invalidates it and all its dependents.
 */
import { buildGraph, staleAfter } from '../../graph/index.js';
import type { Graph, GraphNode } from '../../graph/index.js';
import { isRunnable } from './cells.js';
import type { Draft } from './draft.js';
import { RunQueue } from './run-queue.js';

/** The graph nodes for the draft's cells, in document order. */
export function graphNodes(d: Draft): GraphNode[] {
  return d.cells.map((cell) => {
    const analysis = d.analyses.get(cell.id);
    return {
      id: cell.id,
      declarations: analysis?.declarations ?? [],
      references: analysis?.references ?? [],
    };
  });
}

export function graphFor(d: Draft): Graph {
  return buildGraph(graphNodes(d), { builtins: [...Object.keys(d.params), ...d.builtins] });
}

/**
 * Rebuilds the graph after a change to `changed` cells. Those cells, every cell whose inputs or
 * graph errors changed, and all their dependents (before and after) are invalidated.
 */
export function rebuildGraph(d: Draft, changed: readonly string[]): void {
  const before = d.graph;
  const after = graphFor(d);
  const touched = new Set(changed);
  for (const node of after.nodes) {
    if (!sameList(before.upstream.get(node.id), after.upstream.get(node.id))) touched.add(node.id);
    if (!sameErrors(before, after, node.id)) touched.add(node.id);
  }
  d.graph = after;
  // Positions in the order may have changed: the queue is rebuilt on the new ones.
  d.queue = RunQueue.of(
    [...d.queue].filter((id) => after.index.has(id)),
    (id) => after.position.get(id)!,
  );
  invalidate(d, [...staleAfter(before, touched), ...staleAfter(after, touched)]);
}

/** The cells no longer hold current values. Runnable ones show `stale`; queued/running keep theirs. */
export function invalidate(d: Draft, ids: Iterable<string>): void {
  for (const id of new Set(ids)) {
    const cell = d.cell(id);
    if (!cell) continue;
    d.patch(id, { current: false });
    const { status } = d.rt(id);
    if (status === 'running') d.patch(id, { invalidatedWhileRunning: true });
    else if (status === 'queued') continue;
    else d.setStatus(id, isRunnable(cell) ? 'stale' : 'idle');
  }
}

/** Every cell loses its value (kernel restart): statuses keep their display. */
export function loseAllValues(d: Draft): void {
  for (const id of d.runtime.keys()) d.patch(id, { current: false });
}

/** Cells other than `except` that declare any of `names`: deleting the names loses their values. */
export function declarersOf(d: Draft, names: readonly string[], except: string): string[] {
  const wanted = new Set(names);
  return d.cells
    .filter((c) => c.id !== except && (d.analyses.get(c.id)?.declarations ?? []).some((n) => wanted.has(n)))
    .map((c) => c.id);
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameErrors(before: Graph, after: Graph, id: string): boolean {
  const message = (g: Graph): string => (g.errors.get(id) ?? []).map((e) => e.message).join('\n');
  return message(before) === message(after);
}
