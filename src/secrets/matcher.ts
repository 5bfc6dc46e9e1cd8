/**
 * Finds many literal strings in a text in one pass (Aho–Corasick), as a regular expression
 * alternation sorted longest first would: the leftmost match wins, the longest at that position,
 * and the scan goes on after it. A `RegExp` of the same alternatives costs time per alternative at
 * every position of the text; this costs about the same per character for 5 forms or 500 (the
 * lines of a PEM key, the base64 of each value at three alignments).
 *
 * Characters are mapped to a small alphabet of the characters the forms use; a character in no
 * form sends the automaton back to its root at once. The states of the first two levels (where
 * ordinary text spends its time) have a full transition row; deeper ones keep their children in a
 * map and follow failure links.
 *
 * Must not: know what the strings are (forms.ts) or what replaces them (redactor.ts).
 */

/** States at this depth or less get a full transition row. */
const DENSE_DEPTH = 2;

export class Matcher {
  /** the length of the longest string */
  readonly maxLength: number;
  private readonly classOf = new Uint16Array(65536);
  private readonly alphabet: number;
  /** full rows of the states 0…denseCount-1 (BFS order puts the shallow states first) */
  private readonly dense: Int32Array;
  private readonly denseCount: number;
  private readonly children: Map<number, number>[];
  private readonly fail: Int32Array;
  /** the length of the longest string ending at the state, 0 for none */
  private readonly outLength: Int32Array;
  /** the next state on the failure chain where some string ends, -1 for none */
  private readonly outLink: Int32Array;
  /** 1 where some string ends at the state or on its failure chain */
  private readonly emits: Uint8Array;

  constructor(strings: readonly string[]) {
    const patterns = strings.filter((s) => s.length > 0);
    this.maxLength = patterns.reduce((max, s) => Math.max(max, s.length), 0);
    let classes = 1;
    for (const pattern of patterns)
      for (let i = 0; i < pattern.length; i++) {
        const code = pattern.charCodeAt(i);
        if (this.classOf[code] === 0) this.classOf[code] = classes++;
      }
    this.alphabet = classes;
    // The trie, built with temporary ids, then renumbered in breadth-first order.
    const trie: Map<number, number>[] = [new Map()];
    const ends: number[] = [0];
    for (const pattern of patterns) {
      let state = 0;
      for (let i = 0; i < pattern.length; i++) {
        const c = this.classOf[pattern.charCodeAt(i)]!;
        let next = trie[state]!.get(c);
        if (next === undefined) {
          next = trie.length;
          trie.push(new Map());
          ends.push(0);
          trie[state]!.set(c, next);
        }
        state = next;
      }
      ends[state] = Math.max(ends[state]!, pattern.length);
    }
    const order: number[] = [0];
    const depth: number[] = [0];
    const rank = new Int32Array(trie.length);
    for (let i = 0; i < order.length; i++) {
      for (const child of trie[order[i]!]!.values()) {
        rank[child] = order.length;
        order.push(child);
        depth.push(depth[i]! + 1);
      }
    }
    const count = order.length;
    this.children = order.map((old) => {
      const map = new Map<number, number>();
      for (const [c, child] of trie[old]!) map.set(c, rank[child]!);
      return map;
    });
    this.outLength = Int32Array.from(order, (old) => ends[old]!);
    this.fail = new Int32Array(count);
    this.outLink = new Int32Array(count).fill(-1);
    this.emits = new Uint8Array(count);
    let denseCount = 0;
    while (denseCount < count && depth[denseCount]! <= DENSE_DEPTH) denseCount++;
    this.denseCount = denseCount;
    this.dense = new Int32Array(denseCount * this.alphabet);
    for (let state = 0; state < count; state++) {
      // Breadth-first: the failure state of every state's children is known before they are reached.
      for (const [c, child] of this.children[state]!) {
        const target = state === 0 ? 0 : this.step(this.fail[state]!, c);
        this.fail[child] = target;
        this.outLink[child] = this.outLength[target]! > 0 ? target : this.outLink[target]!;
        this.emits[child] = this.outLength[child]! > 0 || this.outLink[child]! >= 0 ? 1 : 0;
      }
      if (state < denseCount) {
        const row = state * this.alphabet;
        for (let c = 1; c < this.alphabet; c++)
          this.dense[row + c] =
            this.children[state]!.get(c) ?? (state === 0 ? 0 : this.step(this.fail[state]!, c));
      }
    }
  }

  /** The state after reading class `c` in `state`. */
  private step(state: number, c: number): number {
    let s = state;
    while (s >= this.denseCount) {
      const next = this.children[s]!.get(c);
      if (next !== undefined) return next;
      s = this.fail[s]!;
    }
    return this.dense[s * this.alphabet + c]!;
  }

  /**
   * The matches in `text[from, to)`, as a flat list `[start0, end0, start1, end1, …]`: leftmost
   * first, the longest at each start, none overlapping.
   */
  find(text: string, from = 0, to = text.length): number[] {
    const found: number[] = [];
    if (this.maxLength === 0) return found;
    const { classOf, dense, alphabet, denseCount, outLength, outLink, emits } = this;
    let state = 0;
    let sorted = true;
    for (let i = from; i < to; i++) {
      const c = classOf[text.charCodeAt(i)]!;
      if (c === 0) {
        state = 0;
        continue;
      }
      state = state < denseCount ? dense[state * alphabet + c]! : this.step(state, c);
      if (emits[state] === 0) continue;
      let out = outLength[state]! > 0 ? state : outLink[state]!;
      while (out >= 0) {
        const start = i + 1 - outLength[out]!;
        // Matches arrive by end: one starting before the last one found needs the sort below.
        if (found.length > 0 && start <= found[found.length - 2]!) sorted = false;
        found.push(start, i + 1);
        out = outLink[out]!;
      }
    }
    return sorted ? dropOverlaps(found) : dropOverlaps(sortByStart(found));
  }
}

/** Pairs ordered by start, the longest first at equal starts. */
function sortByStart(pairs: number[]): number[] {
  const indexes = Array.from({ length: pairs.length / 2 }, (_, i) => i * 2);
  indexes.sort((a, b) => pairs[a]! - pairs[b]! || pairs[b + 1]! - pairs[a + 1]!);
  return indexes.flatMap((i) => [pairs[i]!, pairs[i + 1]!]);
}

/** Keeps each pair that starts at or after the end of the last one kept. */
function dropOverlaps(pairs: number[]): number[] {
  const kept: number[] = [];
  let end = -1;
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i]! < end) continue;
    kept.push(pairs[i]!, pairs[i + 1]!);
    end = pairs[i + 1]!;
  }
  return kept;
}
