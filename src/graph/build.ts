/**
 * buildGraph: from what each cell declares and references (in document order) to definitions,
 * edges, a deterministic topological order and per-cell errors (duplicates, cycles).
 *
 * A reference to a name several cells define makes an edge from every one of them: the reader
 * depends on an ambiguous value, so it is skipped when they fail (they do: duplicates are errors).
 */
import { cycleThrough, findCycles } from './cycles.js';
import { topoOrder } from './topo.js';
import type { BuildOptions, DuplicateError, Graph, GraphError, GraphNode } from './types.js';

export function buildGraph(nodes: readonly GraphNode[], options: BuildOptions = {}): Graph {
  const builtins = new Set(options.builtins ?? []);
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const definers = collectDefiners(nodes);
  const adj = buildAdjacency(nodes, definers, builtins);
  const errors = new Map<string, GraphError[]>();
  const addError = (id: string, error: GraphError): void => {
    errors.set(id, [...(errors.get(id) ?? []), error]);
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
      const others = cells.filter((c) => c !== cell).map((c) => nodes[c]!.id);
      addError(nodes[cell]!.id, {
        kind: 'duplicate',
        name,
        others,
        builtin,
        message: duplicateMessage(name, others, builtin),
      });
    }
  }
}

function duplicateMessage(name: string, others: readonly string[], builtin: boolean): string {
  const parts: string[] = [];
  if (builtin) parts.push(`'${name}' is a param or builtin and cannot be redefined`);
  if (others.length > 0) parts.push(`'${name}' is also defined by ${others.join(', ')}`);
  return parts.join('; ');
}

function cycleErrors(
  nodes: readonly GraphNode[],
  members: readonly number[],
  adj: readonly (readonly number[])[],
): [string, GraphError][] {
  const set = new Set(members);
  // One BFS finds a cycle; its members reuse it rotated, the rest of the component gets its own.
  const shared = cycleThrough(members[0]!, set, adj).slice(0, -1);
  const onShared = new Map(shared.map((m, i) => [m, i]));
  return members.map((m) => {
    const at = onShared.get(m);
    const cycle =
      at === undefined ? cycleThrough(m, set, adj) : [...shared.slice(at), ...shared.slice(0, at), m];
    const path = cycle.map((i) => nodes[i]!.id);
    return [nodes[m]!.id, { kind: 'cycle', path, message: `cycle: ${path.join(' -> ')}` }];
  });
}
