import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../../src/format/duration.js';

describe('parseDuration', () => {
  const ok: Array<[string, number]> = [
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['0s', 0],
    [' 5m ', 300_000],
  ];
  for (const [text, ms] of ok) it(`${text} -> ${ms}`, () => assert.equal(parseDuration(text), ms));

  for (const bad of ['', '30', 's', '30 s', '-1s', '1d', '1.s', '30S', '1e3ms', 'abc']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseDuration(bad), /invalid duration/));
  }
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0ms'],
    [250, '250ms'],
    [30_000, '30s'],
    [90_000, '90s'],
    [600_000, '10m'],
    [7_200_000, '2h'],
  ];
  for (const [ms, text] of cases) {
    it(`${ms} -> ${text} and back`, () => {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(text), ms);
    });
  }
  it('rejects negative', () => assert.throws(() => formatDuration(-1)));
});
