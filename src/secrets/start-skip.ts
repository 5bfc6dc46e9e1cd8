/**
 * Where in a text one of many strings may begin, found without reading every character: the
 * matcher (matcher.ts) runs its automaton only from there, and skips the text in between. Two ways
 * together, one per kind of string:
 *
 * - the strings of MIN_WINDOW+ characters (every form of a secret of 6+ characters) by a window
 *   (Wu–Manber): a string starting at `s` puts one of the 3-character blocks of its first `window`
 *   characters at `s + window - 1`, so the last block of a window that ends no such prefix says how
 *   far the next start can be; log text moves on by ~10 characters for one table read;
 * - a few shorter ones (a value of 1–5 characters registered gives one to three) by `indexOf`
 *   each, which V8 runs at memory speed: each place found is a match.
 *
 * With more short strings than MAX_SHORT there is no start skip: the matcher skips by pairs.
 *
 * Must not: match or decide between matches (matcher.ts does).
 */

/** Characters read together by the window: a block of 3 is rare in text, a pair is not. */
const BLOCK = 3;
/** Strings shorter than this are found by `indexOf`: a window this short moves too little a read. */
export const MIN_WINDOW = 8;
/** The window looks at no more than this many first characters of each string. */
const MAX_WINDOW = 16;
/** More short strings than this would mean as many passes over the text: no start skip then. */
const MAX_SHORT = 8;
/** log2 of the window's table size (one byte per entry: 64 KB). */
const SHIFT_BITS = 16;

/** A block of three characters as an index into the window's table (collisions only skip less). */
const blockHash = (a: number, b: number, c: number): number =>
  (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d)) >>> (32 - SHIFT_BITS);

export class StartSkip {
  private constructor(
    /** the window's length: the shortest long string's, at most MAX_WINDOW */
    private readonly window: number,
    /**
     * per block hash, how far a block with that hash ends from the window's end in any long
     * string's prefix, at least (`window - BLOCK + 1` for none); absent without long strings
     */
    private readonly shifts: Uint8Array | undefined,
    /** the strings shorter than MIN_WINDOW */
    private readonly short: readonly string[],
  ) {}

  /** The start skip for these (non-empty) strings, or undefined when too many are short. */
  static of(strings: readonly string[]): StartSkip | undefined {
    const short = strings.filter((s) => s.length < MIN_WINDOW);
    if (short.length > MAX_SHORT) return undefined;
    const long = strings.filter((s) => s.length >= MIN_WINDOW);
    const window = long.reduce((min, s) => Math.min(min, s.length), MAX_WINDOW);
    return new StartSkip(window, long.length > 0 ? windowShifts(long, window) : undefined, short);
  }

  /**
   * For one scan of `text` up to `to`: the first position at or after `from` where a string may
   * begin and end by `to`, or `to` when none can. Positions asked for must not go back.
   */
  in(text: string, to: number): (from: number) => number {
    const { window, shifts, short } = this;
    // Searched only up to `to`: a short string must end within the scan.
    const haystack = to < text.length ? text.slice(0, to) : text;
    /** where each short string occurs next, as last searched (stale once before `from`) */
    const next = short.map(() => -1);
    return (from) => {
      let bound = to;
      for (let k = 0; k < short.length; k++) {
        if (next[k]! < from) {
          const at = haystack.indexOf(short[k]!, from);
          next[k] = at === -1 ? to : at;
        }
        bound = Math.min(bound, next[k]!);
      }
      if (!shifts) return bound;
      for (let end = from + window - 1; end < to && end - window + 1 < bound;) {
        const shift =
          shifts[blockHash(text.charCodeAt(end - 2), text.charCodeAt(end - 1), text.charCodeAt(end))]!;
        if (shift === 0) return end - window + 1;
        end += shift;
      }
      return bound;
    };
  }
}

/** The window's table: see the `shifts` field. */
function windowShifts(strings: readonly string[], window: number): Uint8Array {
  const shifts = new Uint8Array(1 << SHIFT_BITS).fill(window - BLOCK + 1);
  for (const s of strings) {
    for (let end = BLOCK - 1; end < window; end++) {
      const h = blockHash(s.charCodeAt(end - 2), s.charCodeAt(end - 1), s.charCodeAt(end));
      shifts[h] = Math.min(shifts[h]!, window - 1 - end);
    }
  }
  return shifts;
}
