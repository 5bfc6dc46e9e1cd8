/** The lossless byte ↔ text codec for notebooks that are not valid UTF-8 (issue 11). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeLossless, encodeLossless, isValidUtf8 } from '../../../src/format/lossless-utf8.js';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('lossless UTF-8', () => {
  it('round-trips every byte string exactly (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assert.ok(same(encodeLossless(decodeLossless(bytes)), bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips UTF-8 mixed with stray bytes (property)', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => Buffer.from(s, 'utf8')),
      fc.uint8Array({ minLength: 1, maxLength: 3 }).map((b) => Buffer.from(b.map((x) => x | 0x80))),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
        const bytes = Buffer.concat(pieces);
        assert.ok(same(encodeLossless(decodeLossless(bytes)), bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes valid UTF-8 exactly as Node does (BOM kept) and encodes text as UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (text) => {
        const bytes = Buffer.from(text, 'utf8');
        assert.equal(decodeLossless(bytes), bytes.toString('utf8'));
        assert.ok(same(encodeLossless(bytes.toString('utf8')), bytes));
      }),
      { numRuns: 1000 },
    );
    assert.equal(decodeLossless(Buffer.from('\ufeff# x', 'utf8')), '\ufeff# x');
  });

  it('escapes each invalid byte on its own, valid text around it untouched', () => {
    const bytes = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' \u2014 ok')]);
    assert.equal(decodeLossless(bytes), 'caf\udce9 \u2014 ok');
    assert.equal(isValidUtf8(bytes), false);
    // overlong, surrogate, past U+10FFFF, cut-off: all invalid, all kept
    for (const bad of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
    ]) {
      const text = decodeLossless(Uint8Array.from(bad));
      assert.ok(
        [...text].every((c) => c.charCodeAt(0) >= 0xdc80 && c.charCodeAt(0) <= 0xdcff),
        text,
      );
      assert.ok(same(encodeLossless(text), Uint8Array.from(bad)));
    }
  });

  it('an astral character whose low surrogate looks like an escape stays a character', () => {
    const text = '\u{10080}'; // D800 DC80
    assert.ok(same(encodeLossless(text), Buffer.from(text, 'utf8')));
    assert.equal(decodeLossless(Buffer.from(text, 'utf8')), text);
  });
});
