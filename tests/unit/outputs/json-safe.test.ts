import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MORE_KEYS, toJsonSafe } from '../../../src/outputs/json-safe.js';
import { fakeTable } from './fixtures.js';

describe('toJsonSafe', () => {
  it('converts values JSON cannot hold', () => {
    class Point {
      x = 1;
    }
    const out = toJsonSafe({
      big: 2n ** 64n,
      date: new Date(0),
      nan: NaN,
      inf: -Infinity,
      fn: function f() {},
      re: /a+/g,
      err: new RangeError('r'),
      point: new Point(),
      undef: undefined,
      list: [undefined, 1],
      url: new URL('https://example.com/a'),
    });
    assert.deepEqual(out, {
      big: '18446744073709551616',
      date: '1970-01-01T00:00:00.000Z',
      nan: 'NaN',
      inf: '-Infinity',
      fn: '[Function f]',
      re: '/a+/g',
      err: { name: 'RangeError', message: 'r' },
      point: { x: 1 },
      list: [null, 1],
      url: 'https://example.com/a',
    });
  });

  it('marks cycles but not shared references', () => {
    const shared = { s: 1 };
    const obj: Record<string, unknown> = { a: shared, b: shared };
    obj.self = obj;
    const list: unknown[] = [1];
    list.push(list);
    assert.deepEqual(toJsonSafe(obj), { a: { s: 1 }, b: { s: 1 }, self: '[Circular]' });
    assert.deepEqual(toJsonSafe(list), [1, '[Circular]']);
  });

  it('bounds depth with a summary', () => {
    const deep = { a: { b: { c: { d: [1] } } } };
    assert.deepEqual(toJsonSafe(deep, { maxDepth: 2 }), { a: { b: '[Object]' } });
    assert.deepEqual(toJsonSafe([[[1]]], { maxDepth: 1 }), ['[Array(1)]']);
  });

  it('bounds items, keys and strings with visible markers', () => {
    assert.deepEqual(toJsonSafe([1, 2, 3, 4], { maxItems: 2 }), [1, 2, '… 2 more items']);
    assert.deepEqual(toJsonSafe({ a: 1, b: 2, c: 3 }, { maxItems: 1 }), { a: 1, [MORE_KEYS]: '2 more keys' });
    assert.equal(toJsonSafe('abcdef', { maxStringLength: 3 }), 'abc… [3 more characters]');
    assert.deepEqual(toJsonSafe(new Set([1, 2, 3]), { maxItems: 1 }), [1, '… 2 more items']);
  });

  it('bounds the total size of the tree', () => {
    const big = Array.from({ length: 100 }, () => Array.from({ length: 100 }, (_, i) => i));
    const json = JSON.stringify(toJsonSafe(big, { maxNodes: 500 }));
    assert.ok(json.length < 5000, `got ${json.length} characters`);
    assert.match(json, /…/);
  });

  it('takes a table value through its preview', () => {
    const table = fakeTable([{ name: 'a', type: 'INTEGER' }], [{ a: 1 }, { a: 2 }, { a: 3 }]);
    assert.deepEqual(toJsonSafe({ t: table }, { maxItems: 2 }), { t: [{ a: 1 }, { a: 2 }, '… 1 more rows'] });
  });
});
