/**
 * An immutable map from strings to values with cheap updates: `set` and `delete` return a new map
 * that shares all but one path of the old one (a hash array mapped trie, 32-way: about four nodes
 * copied per update at 20,000 keys, instead of the whole map).
 *
 * Why: the engine's state is immutable (applyToState returns a new state and leaves the old one
 * as it was), and it keeps one entry per cell. Copying a Map of N cells for each of the N
 * `cellFinished` of a run made a run quadratic in its cells (bench/cells-scaling.ts).
 *
 * Iteration order is the trie's (by hash), not insertion order; it is the same for equal maps.
 */

interface Leaf<V> {
  readonly kind: 'leaf';
  readonly hash: number;
  readonly key: string;
  readonly value: V;
}

/** Keys whose 32-bit hashes are equal (rare): a plain list. */
interface Collision<V> {
  readonly kind: 'collision';
  readonly hash: number;
  readonly leaves: readonly Leaf<V>[];
}

/** Children for the 5-bit chunk of the hash at this depth; `bitmap` says which chunks are present. */
interface Branch<V> {
  readonly kind: 'branch';
  readonly bitmap: number;
  readonly children: readonly Node<V>[];
}

type Node<V> = Leaf<V> | Collision<V> | Branch<V>;

const BITS = 5;
const MASK = 31;

/** FNV-1a over UTF-16 code units. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const chunk = (hash: number, shift: number): number => (hash >>> shift) & MASK;
const slot = (bitmap: number, bit: number): number => popcount(bitmap & (bit - 1));

function find<V>(node: Node<V> | undefined, hash: number, key: string): Leaf<V> | undefined {
  for (let shift = 0; node !== undefined; shift += BITS) {
    if (node.kind === 'leaf') return node.key === key ? node : undefined;
    if (node.kind === 'collision')
      return node.hash === hash ? node.leaves.find((l) => l.key === key) : undefined;
    const bit = 1 << chunk(hash, shift);
    if ((node.bitmap & bit) === 0) return undefined;
    node = node.children[slot(node.bitmap, bit)];
  }
  return undefined;
}

const hashOfNode = (node: Leaf<unknown> | Collision<unknown>): number => node.hash;

/** A branch holding two nodes with different hashes (leaves or collisions), from depth `shift`. */
function pair<V>(a: Leaf<V> | Collision<V>, b: Leaf<V>, shift: number): Branch<V> {
  const ca = chunk(hashOfNode(a), shift);
  const cb = chunk(b.hash, shift);
  if (ca === cb) return { kind: 'branch', bitmap: 1 << ca, children: [pair(a, b, shift + BITS)] };
  return { kind: 'branch', bitmap: (1 << ca) | (1 << cb), children: ca < cb ? [a, b] : [b, a] };
}

function replaced<T>(items: readonly T[], at: number, item: T): T[] {
  const copy = items.slice();
  copy[at] = item;
  return copy;
}

/** The node with `leaf` set; `node` itself when the key already maps to the same value. */
function insert<V>(node: Node<V> | undefined, leaf: Leaf<V>, shift: number): Node<V> {
  if (node === undefined) return leaf;
  if (node.kind === 'leaf') {
    if (node.key === leaf.key) return Object.is(node.value, leaf.value) ? node : leaf;
    if (node.hash === leaf.hash) return { kind: 'collision', hash: leaf.hash, leaves: [node, leaf] };
    return pair(node, leaf, shift);
  }
  if (node.kind === 'collision') {
    if (node.hash !== leaf.hash) return pair(node, leaf, shift);
    const at = node.leaves.findIndex((l) => l.key === leaf.key);
    if (at === -1) return { ...node, leaves: [...node.leaves, leaf] };
    if (Object.is(node.leaves[at]!.value, leaf.value)) return node;
    return { ...node, leaves: replaced(node.leaves, at, leaf) };
  }
  const bit = 1 << chunk(leaf.hash, shift);
  const at = slot(node.bitmap, bit);
  if ((node.bitmap & bit) === 0) {
    const children = [...node.children.slice(0, at), leaf, ...node.children.slice(at)];
    return { kind: 'branch', bitmap: node.bitmap | bit, children };
  }
  const child = node.children[at]!;
  const next = insert(child, leaf, shift + BITS);
  return next === child ? node : { ...node, children: replaced(node.children, at, next) };
}

/** The node without `key` (undefined when nothing is left); `node` itself when `key` is absent. */
function remove<V>(node: Node<V>, hash: number, key: string, shift: number): Node<V> | undefined {
  if (node.kind === 'leaf') return node.key === key ? undefined : node;
  if (node.kind === 'collision') {
    if (node.hash !== hash) return node;
    const leaves = node.leaves.filter((l) => l.key !== key);
    if (leaves.length === node.leaves.length) return node;
    return leaves.length === 1 ? leaves[0] : { ...node, leaves };
  }
  const bit = 1 << chunk(hash, shift);
  if ((node.bitmap & bit) === 0) return node;
  const at = slot(node.bitmap, bit);
  const child = node.children[at]!;
  const next = remove(child, hash, key, shift + BITS);
  if (next === child) return node;
  if (next !== undefined) return { ...node, children: replaced(node.children, at, next) };
  const children = node.children.filter((_, i) => i !== at);
  if (children.length === 0) return undefined;
  // A lone leaf (or collision) moves up: it carries its whole hash, so it is found from any depth.
  if (children.length === 1 && children[0]!.kind !== 'branch') return children[0];
  return { kind: 'branch', bitmap: node.bitmap & ~bit, children };
}

function* leavesOf<V>(node: Node<V> | undefined): Generator<Leaf<V>, undefined, unknown> {
  if (node === undefined) return undefined;
  if (node.kind === 'leaf') yield node;
  else if (node.kind === 'collision') yield* node.leaves;
  else for (const child of node.children) yield* leavesOf(child);
  return undefined;
}

export class PersistentMap<V> implements ReadonlyMap<string, V> {
  private static readonly EMPTY = new PersistentMap<never>(undefined, 0);

  private constructor(
    private readonly root: Node<V> | undefined,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return PersistentMap.EMPTY;
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let map = PersistentMap.empty<V>();
    for (const [key, value] of entries) map = map.set(key, value);
    return map;
  }

  get(key: string): V | undefined {
    return find(this.root, hashOf(key), key)?.value;
  }

  has(key: string): boolean {
    return find(this.root, hashOf(key), key) !== undefined;
  }

  /** A map with `key` set to `value`; this map itself when it already holds exactly that. */
  set(key: string, value: V): PersistentMap<V> {
    const hash = hashOf(key);
    const had = this.size > 0 && find(this.root, hash, key) !== undefined;
    const root = insert(this.root, { kind: 'leaf', hash, key, value }, 0);
    return root === this.root ? this : new PersistentMap(root, had ? this.size : this.size + 1);
  }

  /** A map without `key`; this map itself when it has no such key. */
  delete(key: string): PersistentMap<V> {
    if (this.root === undefined) return this;
    const root = remove(this.root, hashOf(key), key, 0);
    return root === this.root ? this : new PersistentMap(root, this.size - 1);
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const leaf of leavesOf(this.root)) callback.call(thisArg, leaf.value, leaf.key, this);
  }

  *entries(): Generator<[string, V], undefined, unknown> {
    for (const leaf of leavesOf(this.root)) yield [leaf.key, leaf.value];
    return undefined;
  }

  *keys(): Generator<string, undefined, unknown> {
    for (const leaf of leavesOf(this.root)) yield leaf.key;
    return undefined;
  }

  *values(): Generator<V, undefined, unknown> {
    for (const leaf of leavesOf(this.root)) yield leaf.value;
    return undefined;
  }

  [Symbol.iterator](): Generator<[string, V], undefined, unknown> {
    return this.entries();
  }
}
