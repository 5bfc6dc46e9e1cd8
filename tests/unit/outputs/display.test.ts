import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html, md, vegalite } from '../../../src/outputs/builtins.js';
import { toOutputs } from '../../../src/outputs/display.js';
import { TABLE_PREVIEW_ROWS } from '../../../src/outputs/object-table.js';
import { MIME, type ErrorData, type TableData } from '../../../src/outputs/types.js';
import { fakeTable } from './fixtures.js';

function one(value: unknown) {
  const outputs = toOutputs(value);
  assert.equal(outputs.length, 1);
  return outputs[0]!;
}

describe('toOutputs', () => {
  it('shows nothing for undefined', () => {
    assert.deepEqual(toOutputs(undefined), []);
  });

  const textCases: [string, unknown, string][] = [
    ['string', 'hi <b>', 'hi <b>'],
    ['number', 3.5, '3.5'],
    ['negative zero', -0, '-0'],
    ['NaN', NaN, 'NaN'],
    ['bigint', 12n, '12n'],
    ['boolean', true, 'true'],
    ['null', null, 'null'],
    ['symbol', Symbol('s'), 'Symbol(s)'],
    ['date', new Date('2024-05-06T06:00:00Z'), '2024-05-06T06:00:00.000Z'],
    ['invalid date', new Date('nope'), 'Invalid Date'],
    ['named function', function load() {}, '[Function load]'],
    ['arrow function', () => 1, '[Function (anonymous)]'],
    ['class', class Orders {}, '[class Orders]'],
    ['bytes', new Uint8Array([104, 105]), 'Uint8Array(2 bytes) 68 69'],
  ];
  for (const [label, value, expected] of textCases) {
    it(`shows a ${label} as text/plain`, () => {
      assert.deepEqual(one(value), { mime: MIME.text, data: expected });
    });
  }

  it('summarises large binary data', () => {
    const data = one(new Uint8Array(1000)).data as string;
    assert.match(data, /^Uint8Array\(1000 bytes\) (00 ){15}00 …$/);
  });

  it('shows an Error as error data', () => {
    const error = Object.assign(new TypeError('bad'), { line: 3 });
    const out = one(error);
    assert.equal(out.mime, MIME.error);
    const data = out.data as ErrorData;
    assert.equal(data.name, 'TypeError');
    assert.equal(data.message, 'bad');
    assert.equal(data.line, 3);
    assert.match(data.stack ?? '', /TypeError: bad/);
  });

  it('keeps html, md and vegalite values', () => {
    assert.deepEqual(one(html`<b>${'x'}</b>`), { mime: MIME.html, data: '<b>x</b>' });
    assert.deepEqual(one(md`*${'x'}*`), { mime: MIME.markdown, data: '*x*' });
    const chart = one(vegalite({ mark: 'bar', data: { values: [{ a: 1n, d: new Date(0) }] } }));
    assert.equal(chart.mime, MIME.vegalite);
    assert.deepEqual(chart.data, {
      mark: 'bar',
      // a safe bigint is a number in JSON (src/protocol/json.ts), as in table previews
      data: { values: [{ a: 1, d: '1970-01-01T00:00:00.000Z' }] },
    });
  });

  it('previews a table value', () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ n: i }));
    const data = one(fakeTable([{ name: 'n', type: 'INTEGER' }], rows)).data as TableData;
    assert.equal(data.rows.length, TABLE_PREVIEW_ROWS);
    assert.equal(data.rowCount, 500);
    assert.equal(data.truncated, true);
  });

  it('shows an array of plain objects as a table with the union of keys and inferred types', () => {
    const out = one([
      { a: 1, b: 'x' },
      { a: 2, c: new Date(0), d: 2n ** 70n },
      { a: null, b: 3, e: { deep: true } },
    ]);
    assert.equal(out.mime, MIME.table);
    const data = out.data as TableData;
    assert.deepEqual(data.columns, [
      { name: 'a', type: 'number' },
      { name: 'b', type: 'object' },
      { name: 'c', type: 'date' },
      { name: 'd', type: 'number' },
      { name: 'e', type: 'object' },
    ]);
    assert.deepEqual(data.rows[1], [2, null, '1970-01-01T00:00:00.000Z', '1180591620717411303424', null]);
    assert.deepEqual(data.rows[2], [null, 3, null, null, { deep: true }]);
    assert.equal(data.rowCount, 3);
    assert.equal(data.truncated, false);
  });

  it('bounds the preview of a long array of objects', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ i }));
    const data = one(rows).data as TableData;
    assert.equal(data.rows.length, TABLE_PREVIEW_ROWS);
    assert.equal(data.rowCount, 10_000);
    assert.equal(data.truncated, true);
  });

  it('shows other objects, arrays, Maps and Sets as JSON', () => {
    assert.deepEqual(one({ a: [1, 'x'] }), { mime: MIME.json, data: { a: [1, 'x'] } });
    assert.deepEqual(one([1, { a: 1 }]), { mime: MIME.json, data: [1, { a: 1 }] });
    assert.deepEqual(one(new Map([['k', 1]])), { mime: MIME.json, data: [['k', 1]] });
    assert.deepEqual(one(new Set([1, 2])), { mime: MIME.json, data: [1, 2] });
    assert.deepEqual(one([]), { mime: MIME.json, data: [] });
  });

  it('produces JSON that survives a round trip', () => {
    const value = { a: 1n, b: new Date(0), c: () => 1, d: [NaN, Infinity], e: undefined, f: Symbol('x') };
    const data = one(value).data;
    assert.deepEqual(JSON.parse(JSON.stringify(data)), data);
  });
});
