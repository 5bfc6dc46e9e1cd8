/**
 * The cells waiting to run, taken in topological order: an immutable priority queue keyed by each
 * cell's position in the graph's order. Adding, removing, taking the first and asking whether a
 * cell waits each cost O(log n) and share the rest of the queue with the previous version, so a
 * run of n cells costs O(n log n) however the state is kept (see persistent-map.ts for why the
 * state is never copied whole).
 *
 * Made of a leftist heap of (position, id) and a map of the members. Removing a cell only drops
 * it from the map; its heap entry is skipped when it comes to the top.
 */
import { PersistentMap } from './persistent-map.js';

interface Heap {
  readonly position: number;
  readonly id: string;
  /** length of the right spine (leftist heaps keep it the shortest path to a leaf) */
  readonly rank: number;
  readonly left: Heap | null;
  readonly right: Heap | null;
}

const rank = (heap: Heap | null): number => heap?.rank ?? 0;

/** Iterative on the right spines (each O(log n) long), so no recursion at all. */
function merge(a: Heap | null, b: Heap | null): Heap | null {
  const spine: Heap[] = [];
  while (a !== null && b !== null) {
    if (b.position < a.position) [a, b] = [b, a];
    spine.push(a);
    a = a.right;
  }
  let merged = a ?? b;
  for (let i = spine.length - 1; i >= 0; i--) {
    const top = spine[i]!;
    const [left, right] = rank(top.left) >= rank(merged) ? [top.left, merged] : [merged, top.left];
    merged = { position: top.position, id: top.id, rank: rank(right) + 1, left, right };
  }
  return merged;
}

export class RunQueue implements Iterable<string> {
  private static readonly EMPTY = new RunQueue(null, PersistentMap.empty());

  private constructor(
    private readonly heap: Heap | null,
    /** id -> position of the cells that wait */
    private readonly members: PersistentMap<number>,
  ) {}

  static empty(): RunQueue {
    return RunQueue.EMPTY;
  }

  /** The queue of `ids`, each at the position `positionOf` gives it. */
  static of(ids: Iterable<string>, positionOf: (id: string) => number): RunQueue {
    let queue = RunQueue.empty();
    for (const id of ids) queue = queue.add(id, positionOf(id));
    return queue;
  }

  /** how many cells wait (named as for an array: a queue that is empty has length 0) */
  get length(): number {
    return this.members.size;
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  /** The cell to run next, if any. */
  first(): string | undefined {
    return this.heap?.id;
  }

  /** The queue with `id` waiting at `position`; this queue when it already waits. */
  add(id: string, position: number): RunQueue {
    if (this.members.has(id)) return this;
    const entry: Heap = { position, id, rank: 1, left: null, right: null };
    return new RunQueue(merge(this.heap, entry), this.members.set(id, position));
  }

  /** The queue without `id`; this queue when it does not wait. */
  delete(id: string): RunQueue {
    if (!this.members.has(id)) return this;
    return RunQueue.pruned(this.heap, this.members.delete(id));
  }

  /** The queue without its first cell. */
  rest(): RunQueue {
    const first = this.heap;
    if (first === null) return this;
    return RunQueue.pruned(merge(first.left, first.right), this.members.delete(first.id));
  }

  /** The waiting cells in the order they will run. */
  *[Symbol.iterator](): Generator<string, undefined, unknown> {
    const sorted = [...this.members].sort((a, b) => a[1] - b[1]);
    for (const [id] of sorted) yield id;
    return undefined;
  }

  /**
   * Keeps the invariant that the heap's top is a member (so `first` needs no work): entries of
   * removed cells are dropped when they reach the top. A cell removed and added again may have two
   * entries; taking it once removes it from `members`, so the other is dropped then.
   */
  private static pruned(heap: Heap | null, members: PersistentMap<number>): RunQueue {
    while (heap !== null && members.get(heap.id) !== heap.position) heap = merge(heap.left, heap.right);
    return new RunQueue(heap, members);
  }
}
