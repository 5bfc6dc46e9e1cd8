/**
 * Topological order by Kahn's algorithm with a min-heap on document index: among the cells whose
 * inputs are all placed, the earliest in the document comes first. A cycle is placed as one unit
 * once all its outside inputs are placed (its members in document order), so the order is total
 * and deterministic even when the graph has errors.
 */
import { MinHeap } from './heap.js';

/**
 * `adj` is downstream adjacency by document index; `component[i]` is the cycle cell i belongs to
 * (-1 for none). Components are keyed in the heap by their first member's document index.
 */
export function topoOrder(adj: readonly (readonly number[])[], component: readonly number[]): number[] {
  const n = adj.length;
  // unit[i]: the representative (smallest index) of i's cycle, or i itself.
  const unit = unitsOf(component);
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = members.get(unit[i]!);
    if (list) list.push(i);
    else members.set(unit[i]!, [i]);
  }
  const inDegree = new Array<number>(n).fill(0);
  adj.forEach((targets, v) => targets.forEach((w) => unit[v] !== unit[w] && inDegree[unit[w]!]!++));
  const ready = new MinHeap();
  for (const u of members.keys()) if (inDegree[u] === 0) ready.push(u);
  const order: number[] = [];
  while (ready.size > 0) {
    const u = ready.pop()!;
    for (const v of members.get(u)!) {
      order.push(v);
      for (const w of adj[v]!) {
        if (unit[v] !== unit[w] && --inDegree[unit[w]!]! === 0) ready.push(unit[w]!);
      }
    }
  }
  return order;
}

function unitsOf(component: readonly number[]): number[] {
  const first = new Map<number, number>();
  return component.map((c, i) => {
    if (c === -1) return i;
    if (!first.has(c)) first.set(c, i);
    return first.get(c)!;
  });
}
