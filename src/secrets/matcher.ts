/**
 * Finds many literal strings in a text in one pass (Aho–Corasick), as a regular expression
 * alternation sorted longest first would: the leftmost match wins, the longest at that position,
 * and the scan goes on after it. A `RegExp` of the same alternatives costs time per alternative at
 * every position of the text (seconds for 10 MB once a PEM key's lines are forms); this costs about
 * the same per character for 5 strings or 500.
 *
 * Characters are mapped to a small alphabet of those the strings use; a character in none of them
 * sends the automaton back to its root at once. States are numbered by depth, and the shallowest
 * (all of them, for a few API keys) get a full transition row; deeper ones, reached only while the
 * text really follows a long string, look up their edges in a hash table and follow failure links.
 *
 * Where no string has begun the automaton has no state to carry, so ordinary text is skipped
 * without it, to where a string may begin: by a window over the long strings and `indexOf` for a
 * few short ones (start-skip.ts; log text moves on by ~10 characters a read), or, past 8 short
 * strings, pair by pair (a table says which two characters begin a string). The automaton runs
 * from there until it is back at its root, so the scan stays linear.
 *
 * Must not: know what the strings are (forms.ts) or what replaces them (redactor.ts).
 */
import { EdgeTable } from './edge-table.js';
import { StartSkip } from './start-skip.js';

/** Transition-table cells at most (4 bytes each): the rest of the states use the edge map. */
const DENSE_CELLS = 1 << 19;
/** Above this many distinct characters, no table of character pairs (it has alphabet² bytes). */
const MAX_PAIR_ALPHABET = 1024;

export class Matcher {
  /** the length of the longest string */
  readonly maxLength: number;
  private readonly classOf = new Uint16Array(65536);
  private readonly alphabet: number;
  /** full rows of the states 0…denseCount-1 */
  private readonly dense: Int32Array;
  private readonly denseCount: number;
  /** (state, class) → child state: every edge of the trie */
  private readonly edges: EdgeTable;
  private readonly fail: Int32Array;
  /** the length of the longest string ending at the state, 0 for none */
  private readonly outLength: Int32Array;
  /** the next state on the failure chain where some string ends, -1 for none */
  private readonly outLink: Int32Array;
  /** 1 where some string ends at the state or on its failure chain */
  private readonly emits: Uint8Array;
  /** 1 for the root and the states one character deep */
  private readonly shallow: Uint8Array;
  /**
   * 1 at `first * alphabet + second` where two characters begin a string: the text between such
   * pairs is skipped without running the automaton. Absent when a string is one character long
   * (or the alphabet is too large for the table).
   */
  private readonly openers: Uint8Array | undefined;
  /** where a string may begin (start-skip.ts): the text before it is skipped */
  private readonly skip: StartSkip | undefined;

  constructor(strings: readonly string[]) {
    // Longest first: at each depth of the trie only the strings still that long are visited.
    const patterns = [...new Set(strings)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
    this.maxLength = patterns.reduce((max, s) => Math.max(max, s.length), 0);
    let classes = 1;
    let total = 1;
    for (const pattern of patterns) {
      total += pattern.length;
      for (let i = 0; i < pattern.length; i++) {
        const code = pattern.charCodeAt(i);
        if (this.classOf[code] === 0) this.classOf[code] = classes++;
      }
    }
    const A = (this.alphabet = classes);
    this.edges = new EdgeTable(total);
    // The trie, built one depth at a time so that states are numbered by depth.
    const parent = new Int32Array(total);
    const classIn = new Int32Array(total);
    const firstChild = new Int32Array(total).fill(-1);
    const nextSibling = new Int32Array(total).fill(-1);
    this.outLength = new Int32Array(total);
    this.shallow = new Uint8Array(total);
    this.shallow[0] = 1;
    const at = new Int32Array(patterns.length);
    let count = 1;
    for (let depth = 0; depth < this.maxLength; depth++) {
      for (let p = 0; p < patterns.length && patterns[p]!.length > depth; p++) {
        const pattern = patterns[p]!;
        const c = this.classOf[pattern.charCodeAt(depth)]!;
        let next = this.edges.get(at[p]!, c);
        if (next === -1) {
          next = count++;
          this.edges.set(at[p]!, c, next);
          parent[next] = at[p]!;
          classIn[next] = c;
          nextSibling[next] = firstChild[at[p]!]!;
          firstChild[at[p]!] = next;
          if (depth === 0) this.shallow[next] = 1;
        }
        at[p] = next;
        if (pattern.length === depth + 1) this.outLength[next] = pattern.length;
      }
    }
    this.skip = StartSkip.of(patterns);
    const pairs = !this.skip && patterns.every((pattern) => pattern.length >= 2) && A <= MAX_PAIR_ALPHABET;
    this.openers = pairs ? new Uint8Array(A * A) : undefined;
    for (const pattern of this.openers ? patterns : [])
      this.openers![this.classOf[pattern.charCodeAt(0)]! * A + this.classOf[pattern.charCodeAt(1)]!] = 1;
    this.denseCount = Math.max(1, Math.min(count, Math.floor(DENSE_CELLS / A)));
    this.dense = new Int32Array(this.denseCount * A);
    this.fail = new Int32Array(count);
    this.outLink = new Int32Array(count).fill(-1);
    this.emits = new Uint8Array(count);
    for (let state = 0; state < count; state++) {
      // By depth: a state's failure state (shallower) is complete before the state is reached.
      if (state > 0) {
        const from = parent[state]!;
        const target = from === 0 ? 0 : this.step(this.fail[from]!, classIn[state]!);
        this.fail[state] = target;
        this.outLink[state] = this.outLength[target]! > 0 ? target : this.outLink[target]!;
        this.emits[state] = this.outLength[state]! > 0 || this.outLink[state]! >= 0 ? 1 : 0;
      }
      if (state < this.denseCount) {
        // The failure state's row, then this state's own edges over it.
        if (state > 0) this.dense.copyWithin(state * A, this.fail[state]! * A, this.fail[state]! * A + A);
        for (let child = firstChild[state]!; child !== -1; child = nextSibling[child]!)
          this.dense[state * A + classIn[child]!] = child;
      }
    }
  }

  /** The state after reading class `c` in `state`. */
  private step(state: number, c: number): number {
    let s = state;
    while (s >= this.denseCount) {
      const next = this.edges.get(s, c);
      if (next !== -1) return next;
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
    const { classOf, dense, alphabet, denseCount, outLength, outLink, emits, openers, shallow } = this;
    const nextStart = this.skip?.in(text, to);
    const skips = nextStart !== undefined || openers !== undefined;
    let state = 0;
    let sorted = true;
    let i = from;
    /** where the last skip stopped */
    let entered = -1;
    while (i < to) {
      if (state === 0 && nextStart) {
        // Ordinary text: skip to the next place a string may begin (no state to carry).
        i = entered = nextStart(i);
        if (i >= to) break;
      } else if (state === 0 && openers) {
        // Ordinary text: skip to the next two characters that begin a string (no state to carry).
        let first = classOf[text.charCodeAt(i)]!;
        let at = i;
        for (; at + 1 < to; at++) {
          const second = classOf[text.charCodeAt(at + 1)]!;
          if (openers[first * alphabet + second] === 1) break;
          first = second;
        }
        if (at + 1 >= to) break;
        i = entered = at;
      }
      const c = classOf[text.charCodeAt(i)]!;
      i++;
      if (c === 0) {
        state = 0;
        continue;
      }
      state = state < denseCount ? dense[state * alphabet + c]! : this.step(state, c);
      if (emits[state] !== 0) {
        for (let out = outLength[state]! > 0 ? state : outLink[state]!; out >= 0; out = outLink[out]!) {
          const start = i - outLength[out]!;
          // Matches arrive by end: one starting at or before the last one found needs the sort below.
          if (found.length > 0 && start <= found[found.length - 2]!) sorted = false;
          found.push(start, i);
        }
      }
      // Back to skipping once only the last character can begin a string (and read it again);
      // not on the first character of a pair the skip just found, or it would find it forever.
      if (skips && shallow[state] === 1 && i - 1 !== entered) {
        if (state !== 0) i--;
        state = 0;
      }
    }
    return dropOverlaps(sorted ? found : sortByStart(found));
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
