/**
 * The edges of the matcher's trie: (state, character class) → child state, in a hash table of
 * typed arrays (open addressing, linear probing). It is built once per set of secrets and read
 * for the states that have no full transition row. A `Map` keyed by `state * alphabet + class` did
 * the same, but 50 secrets with PEM keys make ~300,000 states, and building the `Map` cost more
 * than scanning 100 MB of output with it (`bench/redact-stream.ts`, SECRETS=varied).
 *
 * Must not: know what a state means (matcher.ts does).
 */
export class EdgeTable {
  /** the state of each slot's edge, -1 for an empty slot */
  private readonly from: Int32Array;
  private readonly classes: Int32Array;
  private readonly to: Int32Array;
  private readonly bits: number;

  /** A table for up to `capacity` edges (kept at most half full). */
  constructor(capacity: number) {
    this.bits = Math.max(4, Math.ceil(Math.log2(capacity * 2 + 1)));
    const size = 1 << this.bits;
    this.from = new Int32Array(size).fill(-1);
    this.classes = new Int32Array(size);
    this.to = new Int32Array(size);
  }

  private slot(state: number, c: number): number {
    return (Math.imul(state, 0x9e3779b1) ^ Math.imul(c, 0x85ebca77)) >>> (32 - this.bits);
  }

  /** The child of `state` on class `c`, -1 for none. */
  get(state: number, c: number): number {
    const mask = this.from.length - 1;
    for (let i = this.slot(state, c); ; i = (i + 1) & mask) {
      const at = this.from[i]!;
      if (at === -1) return -1;
      if (at === state && this.classes[i] === c) return this.to[i]!;
    }
  }

  /** Adds the edge (the caller adds each (state, class) once). */
  set(state: number, c: number, child: number): void {
    const mask = this.from.length - 1;
    let i = this.slot(state, c);
    while (this.from[i] !== -1) i = (i + 1) & mask;
    this.from[i] = state;
    this.classes[i] = c;
    this.to[i] = child;
  }
}
