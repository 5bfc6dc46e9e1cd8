/**
 * Cycle detection: Tarjan's strongly connected components (iterative, so a long chain cannot
 * overflow the stack), then, for each cell of a cycle, the shortest cycle through it for the
 * error message. Self-references make no edge, so every cycle has at least two cells.
 */

/** Components with more than one cell, each as document indices; `adj` is downstream adjacency. */
export function findCycles(adj: readonly (readonly number[])[]): number[][] {
  const n = adj.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    // Each frame is [node, next edge to visit].
    const frames: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const [v, edge] = frame;
      const targets = adj[v]!;
      if (edge < targets.length) {
        frame[1] = edge + 1;
        const w = targets[edge]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          frames.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
      if (low[v] === index[v]) components.push(popComponent(stack, onStack, v));
    }
  }
  return components.filter((c) => c.length > 1).map((c) => c.sort((a, b) => a - b));
}

function popComponent(stack: number[], onStack: boolean[], v: number): number[] {
  const component: number[] = [];
  for (;;) {
    const w = stack.pop()!;
    onStack[w] = false;
    component.push(w);
    if (w === v) return component;
  }
}

/** The shortest cycle from `start` back to itself inside `members` (BFS), as `[start, …, start]`. */
export function cycleThrough(
  start: number,
  members: ReadonlySet<number>,
  adj: readonly (readonly number[])[],
): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const w of adj[v]!) {
      if (!members.has(w)) continue;
      if (w === start) return [...pathTo(previous, v, start), start];
      if (previous.has(w)) continue;
      previous.set(w, v);
      queue.push(w);
    }
  }
  return [start];
}

function pathTo(previous: ReadonlyMap<number, number>, end: number, start: number): number[] {
  const path = [end];
  let v = end;
  while (v !== start) {
    v = previous.get(v)!;
    path.push(v);
  }
  return path.reverse();
}
