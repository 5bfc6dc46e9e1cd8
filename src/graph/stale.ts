/**
 * Questions asked of a built graph: what must re-run after an edit, what a cell needs, what reads
 * a param. Every answer is in topological order, so it can be run as is.
 */
import type { Graph } from './types.js';

/** The changed cells and all their transitive dependents, topologically. Unknown ids are ignored. */
export function staleAfter(graph: Graph, changedIds: Iterable<string>): string[] {
  return inOrder(graph, closure(graph.downstream, changedIds, graph));
}

/** `downstreamClosure` is the same question under the name the engine uses. */
export const downstreamClosure = staleAfter;

/** The given cells and everything they transitively read from, topologically. */
export function upstreamClosure(graph: Graph, ids: Iterable<string>): string[] {
  return inOrder(graph, closure(graph.upstream, ids, graph));
}

/** Cells that reference any of `names` (e.g. changed params) and their transitive dependents. */
export function dependentsOfNames(graph: Graph, names: Iterable<string>): string[] {
  const wanted = new Set(names);
  const readers = graph.nodes.filter((n) => n.references.some((r) => wanted.has(r))).map((n) => n.id);
  return staleAfter(graph, readers);
}

function closure(edges: Graph['upstream'], start: Iterable<string>, graph: Graph): Set<string> {
  const seen = new Set<string>();
  const todo = [...start].filter((id) => graph.index.has(id));
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of edges.get(id) ?? []) if (!seen.has(next)) todo.push(next);
  }
  return seen;
}

/** Sorts ids by their position in `graph.order`. */
export function inOrder(graph: Graph, ids: Iterable<string>): string[] {
  const position = (id: string): number => graph.position.get(id) ?? Number.MAX_SAFE_INTEGER;
  return [...ids].sort((a, b) => position(a) - position(b));
}
