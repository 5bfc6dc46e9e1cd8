/**
 * Cycle detection: Tarjan's strongly connected components (iterative, so a long chain cannot
 * overflow the stack), then, for each cell of a cycle, a cycle through it for the error message:
 * the shortest one in a small component, a short one or one through the component's first cell
 * in a large one (finding each cell's shortest cycle costs O(cells × edges) of the component).
 * Self-references make no edge, so every cycle has at least two cells.
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

/**
 * The shortest cycle from `start` back to itself inside `members` (BFS), as `[start, …, start]`;
 * `[start]` when there is none among the first `maxVisited` cells reached.
 */
export function cycleThrough(
  start: number,
  members: ReadonlySet<number>,
  adj: readonly (readonly number[])[],
  maxVisited = Infinity,
): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length && head < maxVisited; head++) {
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

/** A cycle through one cell, as document indices `[m, …, m]`, maybe shortened; `length` is exact. */
export interface CyclePath {
  path: number[];
  length: number;
}

/** Components up to this size get each cell's shortest cycle; larger ones a bounded search. */
const EXACT_COMPONENT = 64;

/**
 * A cycle through each member of one component (in `members` order), each path shortened to its
 * first `listed` cells and the member again. O(members × listed + edges) for a large component.
 */
export function cyclePaths(
  members: readonly number[],
  adj: readonly (readonly number[])[],
  listed: number,
): CyclePath[] {
  const set = new Set(members);
  const shorten = (cycle: number[]): CyclePath => {
    const length = cycle.length - 1;
    return { path: length > listed ? [...cycle.slice(0, listed), cycle[0]!] : cycle, length };
  };
  if (members.length <= EXACT_COMPONENT) {
    // One BFS finds a cycle; its members reuse it rotated, the rest of the component gets its own.
    const shared = cycleThrough(members[0]!, set, adj).slice(0, -1);
    const onShared = new Map(shared.map((m, i) => [m, i]));
    return members.map((m) => {
      const at = onShared.get(m);
      return shorten(
        at === undefined ? cycleThrough(m, set, adj) : [...shared.slice(at), ...shared.slice(0, at), m],
      );
    });
  }
  const root = members[0]!;
  const toRoot = towardRoot(root, set, adj);
  const fromRoot = distancesFrom(root, set, adj);
  const rootCycle = shorten(cycleThrough(root, set, adj));
  return members.map((m) => {
    if (m === root) return rootCycle;
    const near = cycleThrough(m, set, adj, EXACT_COMPONENT);
    if (near.length > 1) return shorten(near);
    // Through the root: m's shortest path to it, then the root's shortest path back to m.
    const path = [m];
    for (let v = m; path.length < listed && v !== root;) path.push((v = toRoot.next.get(v)!));
    const length = toRoot.distance.get(m)! + fromRoot.get(m)!;
    return { path: [...path, m], length };
  });
}

/** For each member, its distance to `root` and its next cell on a shortest path there. */
function towardRoot(
  root: number,
  members: ReadonlySet<number>,
  adj: readonly (readonly number[])[],
): { next: Map<number, number>; distance: Map<number, number> } {
  const upstream = new Map<number, number[]>();
  for (const v of members) {
    for (const w of adj[v]!) {
      if (!members.has(w)) continue;
      const list = upstream.get(w);
      if (list) list.push(v);
      else upstream.set(w, [v]);
    }
  }
  const next = new Map<number, number>();
  const distance = new Map([[root, 0]]);
  const queue = [root];
  for (let head = 0; head < queue.length; head++) {
    const w = queue[head]!;
    for (const v of upstream.get(w) ?? []) {
      if (distance.has(v)) continue;
      distance.set(v, distance.get(w)! + 1);
      next.set(v, w);
      queue.push(v);
    }
  }
  return { next, distance };
}

/** Each member's distance from `root` along the edges. */
function distancesFrom(
  root: number,
  members: ReadonlySet<number>,
  adj: readonly (readonly number[])[],
): Map<number, number> {
  const distance = new Map([[root, 0]]);
  const queue = [root];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const w of adj[v]!) {
      if (!members.has(w) || distance.has(w)) continue;
      distance.set(w, distance.get(v)! + 1);
      queue.push(w);
    }
  }
  return distance;
}
