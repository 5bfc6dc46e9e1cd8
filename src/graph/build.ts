/**
 * buildGraph: from what each cell declares and references (in document order) to definitions,
 * edges, a deterministic topological order and per-cell errors (duplicates, cycles).
 *
 * A reference to a name several cells define makes an edge from every one of them: the reader
 * depends on an ambiguous value, so it is skipped when they fail (they do: duplicates are errors).
 */
import { cyclePaths, findCycles } from './cycles.js';
import { topoOrder } from './topo.js';
import { LISTED_CELLS } from './types.js';
import type { BuildOptions, DuplicateError, Graph, GraphError, GraphNode } from './types.js';

export function buildGraph(nodes: readonly GraphNode[], options: BuildOptions = {}): Graph {
  const builtins = new Set(options.builtins ?? []);
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const definers = collectDefiners(nodes);
  const adj = buildAdjacency(nodes, definers, builtins);
  const errors = new Map<string, GraphError[]>();
  const addError = (id: string, error: GraphError): void => {
    const list = errors.get(id);
    if (list) list.push(error);
    else errors.set(id, [error]);
  };
  duplicateErrors(nodes, definers, builtins, addError);
  const component = new Array<number>(nodes.length).fill(-1);
  findCycles(adj).forEach((members, c) => {
    members.forEach((m) => (component[m] = c));
    cycleErrors(nodes, members, adj).forEach(([id, error]) => addError(id, error));
  });
  const order = topoOrder(adj, component).map((i) => nodes[i]!.id);
  return {
    nodes,
    index,
    definitions: uniqueDefinitions(nodes, definers, builtins),
    upstream: toIds(nodes, invert(adj)),
    downstream: toIds(nodes, adj),
    order,
    position: new Map(order.map((id, i) => [id, i])),
    errors,
    builtins,
  };
}

/** name -> document indices of the cells declaring it (each cell counted once). */
function collectDefiners(nodes: readonly GraphNode[]): Map<string, number[]> {
  const definers = new Map<string, number[]>();
  nodes.forEach((node, i) => {
    for (const name of new Set(node.declarations)) {
      const list = definers.get(name);
      if (list) list.push(i);
      else definers.set(name, [i]);
    }
  });
  return definers;
}

/** Downstream adjacency by document index, sorted and without self-edges or duplicates. */
function buildAdjacency(
  nodes: readonly GraphNode[],
  definers: ReadonlyMap<string, number[]>,
  builtins: ReadonlySet<string>,
): number[][] {
  const adj = nodes.map(() => new Set<number>());
  nodes.forEach((node, reader) => {
    for (const name of node.references) {
      if (builtins.has(name)) continue;
      for (const writer of definers.get(name) ?? []) {
        if (writer !== reader) adj[writer]!.add(reader);
      }
    }
  });
  return adj.map((targets) => [...targets].sort((a, b) => a - b));
}

function invert(adj: readonly (readonly number[])[]): number[][] {
  const up = adj.map((): number[] => []);
  adj.forEach((targets, v) => targets.forEach((w) => up[w]!.push(v)));
  return up;
}

function toIds(nodes: readonly GraphNode[], adj: readonly (readonly number[])[]): Map<string, string[]> {
  return new Map(nodes.map((node, i) => [node.id, adj[i]!.map((j) => nodes[j]!.id)]));
}

function uniqueDefinitions(
  nodes: readonly GraphNode[],
  definers: ReadonlyMap<string, number[]>,
  builtins: ReadonlySet<string>,
): Map<string, string> {
  const definitions = new Map<string, string>();
  for (const [name, cells] of definers) {
    if (cells.length === 1 && !builtins.has(name)) definitions.set(name, nodes[cells[0]!]!.id);
  }
  return definitions;
}

function duplicateErrors(
  nodes: readonly GraphNode[],
  definers: ReadonlyMap<string, number[]>,
  builtins: ReadonlySet<string>,
  addError: (id: string, error: DuplicateError) => void,
): void {
  for (const [name, cells] of definers) {
    const builtin = builtins.has(name);
    if (cells.length < 2 && !builtin) continue;
    for (const cell of cells) {
      const others: string[] = [];
      for (let i = 0; i < cells.length && others.length < LISTED_CELLS; i++)
        if (cells[i] !== cell) others.push(nodes[cells[i]!]!.id);
      const otherCount = cells.length - 1;
      addError(nodes[cell]!.id, {
        kind: 'duplicate',
        name,
        others,
        otherCount,
        builtin,
        message: duplicateMessage(name, others, otherCount, builtin),
      });
    }
  }
}

function duplicateMessage(name: string, others: readonly string[], count: number, builtin: boolean): string {
  const parts: string[] = [];
  if (builtin) parts.push(`'${name}' is a param or builtin and cannot be redefined`);
  const more = count > others.length ? ` and ${count - others.length} more cells` : '';
  if (others.length > 0) parts.push(`'${name}' is also defined by ${others.join(', ')}${more}`);
  return parts.join('; ');
}

function cycleErrors(
  nodes: readonly GraphNode[],
  members: readonly number[],
  adj: readonly (readonly number[])[],
): [string, GraphError][] {
  const paths = cyclePaths(members, adj, LISTED_CELLS);
  return members.map((m, i) => {
    const { path: indices, length } = paths[i]!;
    const path = indices.map((j) => nodes[j]!.id);
    const shown =
      length > path.length - 1
        ? `${path.slice(0, -1).join(' -> ')} -> … -> ${path.at(-1)} (${length} cells)`
        : path.join(' -> ');
    return [nodes[m]!.id, { kind: 'cycle', path, length, message: `cycle: ${shown}` }];
  });
}
