/**
 * The one-pass matcher finds what a regular expression alternation sorted longest first finds:
 * the leftmost match, the longest at that position, the scan going on after it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Matcher } from '../../../src/secrets/matcher.js';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The reference: what the redactor did before, with a RegExp. */
function regexMatches(strings: string[], text: string, from = 0, to = text.length): number[] {
  const alternatives = [...new Set(strings.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  if (alternatives.length === 0) return [];
  const pattern = new RegExp(alternatives.map(escapeRegExp).join('|'), 'g');
  const found: number[] = [];
  for (const match of text.slice(from, to).matchAll(pattern)) {
    found.push(from + match.index, from + match.index + match[0].length);
  }
  return found;
}

test('cases: overlaps, containment, failure links, ranges', () => {
  const cases: [string[], string, number[]][] = [
    [['abcd', 'bc'], 'xabcdx', [1, 5]],
    [['abc', 'cde'], 'abcde', [0, 3]],
    [['bcd', 'abcx'], 'abcd', [1, 4]],
    [['a', 'aa', 'aaa'], 'aaaaa', [0, 3, 3, 5]],
    [['she', 'he', 'hers'], 'ushers', [1, 4]],
    [['🔑', 'é'], 'a🔑é', [1, 3, 3, 4]],
    [[], 'anything', []],
    [['x'], '', []],
    [['ab', 'b'], 'aab', [1, 3]],
    [['abc', 'bd'], 'abd abc', [1, 3, 4, 7]],
    [['xxy', 'xy'], 'xxxxy', [2, 5]],
  ];
  for (const [strings, text, expected] of cases) {
    assert.deepEqual(new Matcher(strings).find(text), expected, JSON.stringify({ strings, text }));
    assert.deepEqual(regexMatches(strings, text), expected, 'the reference agrees');
  }
  assert.deepEqual(new Matcher(['ab']).find('abxab', 1, 5), [3, 5]);
  assert.equal(new Matcher(['ab', 'abcdef', '']).maxLength, 6);
});

// Strings of one character turn off the skipping of ordinary text (pairs of characters): both ways.
for (const minLength of [1, 2]) {
  test(`property: the same matches as a RegExp alternation, longest first (strings of ${minLength}+)`, () => {
    // A small alphabet, so that strings share prefixes and suffixes and overlap in the text.
    const unit = fc.constantFrom('a', 'b', 'c', '\n', '"', 'é', '\uD83D', 'x', 'y');
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength, maxLength: 6, unit }), { minLength: 1, maxLength: 12 }),
        fc.string({ maxLength: 80, unit }),
        fc.nat(80),
        fc.nat(80),
        (strings, text, a, b) => {
          const matcher = new Matcher(strings);
          assert.deepEqual(matcher.find(text), regexMatches(strings, text));
          const [from, to] = [Math.min(a, b, text.length), Math.min(Math.max(a, b), text.length)];
          assert.deepEqual(matcher.find(text, from, to), regexMatches(strings, text, from, to));
        },
      ),
      { numRuns: 2000 },
    );
  });
}

test('property: many long strings (the dense and the sparse states)', () => {
  const unit = fc.constantFrom('A', 'B', 'C', 'D', '+', '/');
  fc.assert(
    fc.property(
      fc.array(fc.string({ minLength: 2, maxLength: 30, unit }), { minLength: 1, maxLength: 60 }),
      fc.array(fc.string({ maxLength: 10, unit }), { maxLength: 10 }),
      (strings, glue) => {
        const text = glue.map((g, i) => g + (strings[i % strings.length] ?? '')).join('');
        assert.deepEqual(new Matcher(strings).find(text), regexMatches(strings, text));
      },
    ),
    { numRuns: 500 },
  );
});

// Ordinary text is skipped by a window (Wu–Manber) over the strings of 8+ characters, whose table
// is built from their first min(shortest, 16) characters, and by indexOf for up to 8 shorter ones:
// short and long mixed, long only (windows shorter than some strings), windows cut at 16.
for (const [minLength, maxLength] of [
  [1, 12],
  [8, 40],
  [17, 40],
]) {
  test(`property: the start skip finds what a RegExp finds (strings of ${minLength}–${maxLength})`, () => {
    const unit = fc.constantFrom('a', 'b', 'c', '"', 'é', '\uD83D', '[', ']');
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength, maxLength, unit }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.string({ maxLength: 12, unit }), fc.nat(), fc.nat(), fc.nat()), {
          maxLength: 8,
        }),
        fc.nat(450),
        fc.nat(450),
        (strings, parts, a, b) => {
          // the text: pieces of the strings (whole, or cut at either end) between random glue
          const text = parts
            .map(([glue, k, cutStart, cutEnd]) => {
              const s = strings[k % strings.length]!;
              return glue + s.slice(cutStart % 3, s.length - (cutEnd % 3));
            })
            .join('');
          const matcher = new Matcher(strings);
          assert.deepEqual(matcher.find(text), regexMatches(strings, text));
          const [from, to] = [Math.min(a, b, text.length), Math.min(Math.max(a, b), text.length)];
          assert.deepEqual(matcher.find(text, from, to), regexMatches(strings, text, from, to));
        },
      ),
      { numRuns: 1500 },
    );
  });
}

test('the start skip: a string at the very start, at the very end, one character short, a range', () => {
  const strings = ['abcdefgh', 'xyzxyzxyzxyzxyzxyzxyz', 'kl', 'klmnopqrstuv'];
  const matcher = new Matcher(strings);
  const cases: [string, number[]][] = [
    ['abcdefgh', [0, 8]],
    ['abcdefg', []],
    ['-abcdefgh', [1, 9]],
    ['bcdefgh abcdefg', []],
    ['xyzxyzxyzxyzxyzxyzxy abcdefgh', [21, 29]],
    ['xyzxyzxyzxyzxyzxyzxyzxyz', [0, 21]],
    ['kl', [0, 2]],
    ['k abcdefgkl', [9, 11]],
    ['klmnopqrstu klmnopqrstuv', [0, 2, 12, 24]],
    ['abcdefgh kl abcdefgh', [0, 8, 9, 11, 12, 20]],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(matcher.find(text), expected, text);
    assert.deepEqual(regexMatches(strings, text), expected, 'the reference agrees');
  }
  // a short string ending past the range is not a match in it
  assert.deepEqual(matcher.find('xx kl abcdefgh', 0, 4), []);
  assert.deepEqual(matcher.find('xx kl abcdefgh', 3, 14), [3, 5, 6, 14]);
});

test('property: states without a full row (a large alphabet leaves few full rows) match the same', () => {
  // 20,000 distinct characters: 2^19 cells / 20,003 classes leave 26 states a full row, so the
  // small strings' states from depth 3 or so follow the edge table and failure links.
  const wide = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode(0x4e00 + i)).join('');
  // few letters: strings that repeat themselves, with long failure chains
  const unit = fc.constantFrom('a', 'b', wide[0]!);
  fc.assert(
    fc.property(
      fc.array(fc.string({ minLength: 1, maxLength: 16, unit }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.tuple(fc.string({ maxLength: 6, unit }), fc.nat(), fc.nat(3)), { maxLength: 10 }),
      (strings, parts) => {
        const text = parts
          .map(
            ([glue, k, cut]) =>
              glue + strings[k % strings.length]!.slice(0, strings[k % strings.length]!.length - cut),
          )
          .join('');
        // the wide string only widens the alphabet: it is longer than any text here
        assert.deepEqual(new Matcher([...strings, wide]).find(text), regexMatches(strings, text));
      },
    ),
    { numRuns: 100 },
  );
});
