// QuireTable, JSON-safe previews, JS column inference.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inferJsColumns, isRowArray } from '../../../src/connectors/kernel/js-columns.js';
import { toJsonSafe } from '../../../src/connectors/kernel/json-safe.js';
import {
  isTableValue,
  QuireTable,
  tableFromColumns,
  tableFromRows,
} from '../../../src/connectors/kernel/table.js';
import { TABLE_VALUE } from '../../../src/outputs/types.js';

const columns = [
  { name: 'a', type: 'INTEGER' },
  { name: 'b', type: 'VARCHAR' },
];

test('rows are plain objects, built once', () => {
  const t = tableFromColumns(columns, [
    [1, 2],
    ['x', 'y'],
  ]);
  assert.equal(t.numRows, 2);
  assert.deepEqual(t.rows, [
    { a: 1, b: 'x' },
    { a: 2, b: 'y' },
  ]);
  assert.equal(t.rows, t.rows);
  assert.equal(Object.getPrototypeOf(t.rows[0]), Object.prototype);
});

test('tableFromRows fills missing cells with null', () => {
  const t = tableFromRows(columns, [[1], [2, 'y']]);
  assert.deepEqual(t.rows, [
    { a: 1, b: null },
    { a: 2, b: 'y' },
  ]);
});

test('column arrays of different lengths are refused', () => {
  assert.throws(() => tableFromColumns(columns, [[1], []]), /differ in length/);
  assert.throws(() => new QuireTable(columns, [[1]]), /2 columns but 1/);
});

test('preview: limit, truncation, JSON-safe values', () => {
  const t = tableFromColumns(
    [{ name: 'v', type: 'x' }],
    [[new Date('2024-01-01T00:00:00Z'), 2n ** 60n, 5n, Number.NaN]],
  );
  assert.deepEqual(t.preview(3), {
    columns: [{ name: 'v', type: 'x' }],
    rows: [['2024-01-01T00:00:00.000Z'], ['1152921504606846976'], [5]],
    rowCount: 4,
    truncated: true,
  });
  assert.equal(t.preview(-1).rows.length, 0);
});

test('isTableValue recognises the shared symbol only', () => {
  assert.equal(isTableValue(tableFromRows([], [])), true);
  assert.equal(isTableValue({ [TABLE_VALUE]: true }), true);
  assert.equal(isTableValue([{ a: 1 }]), false);
  assert.equal(isTableValue(null), false);
});

test('toJsonSafe converts nested values', () => {
  assert.deepEqual(toJsonSafe({ d: [new Date(0)], b: new Uint8Array([255]), n: undefined, i: Infinity }), {
    d: ['1970-01-01T00:00:00.000Z'],
    b: '/w==',
    n: null,
    i: 'Infinity',
  });
});

const inferCases: [string, unknown[], string[]][] = [
  ['safe integers', [{ a: 1 }, { a: -2 }], ['a:BIGINT']],
  ['mixed numbers', [{ a: 1 }, { a: 2.5 }], ['a:DOUBLE']],
  ['bigint with integers', [{ a: 1 }, { a: 2n }], ['a:HUGEINT']],
  ['strings and nulls', [{ a: 'x' }, { a: null }], ['a:VARCHAR']],
  ['booleans', [{ a: true }], ['a:BOOLEAN']],
  ['dates', [{ a: new Date() }], ['a:TIMESTAMP']],
  ['objects', [{ a: { x: 1 } }, { a: [1] }], ['a:JSON']],
  ['mixed scalars', [{ a: 1 }, { a: 'x' }], ['a:JSON']],
  ['only nulls', [{ a: null }], ['a:VARCHAR']],
  ['union of keys in first-seen order', [{ a: 1 }, { b: 'x', a: 2 }], ['a:BIGINT', 'b:VARCHAR']],
];
for (const [name, rows, expected] of inferCases) {
  test(`inferJsColumns: ${name}`, () => {
    assert.deepEqual(
      inferJsColumns(rows).map((c) => `${c.name}:${c.kind}`),
      expected,
    );
  });
}

test('isRowArray', () => {
  assert.equal(isRowArray([{ a: 1 }]), true);
  assert.equal(isRowArray([]), false);
  assert.equal(isRowArray([1, 2]), false);
  assert.equal(isRowArray([[1]]), false);
  assert.equal(isRowArray('abc'), false);
});

test('a lazy table converts its columns only when they are read, and only once', () => {
  let loads = 0;
  let heads = 0;
  const table = new QuireTable([{ name: 'n', type: 'INTEGER' }], {
    numRows: 3,
    load: () => {
      loads++;
      return [[1, 2, 3]];
    },
    head: (limit) => {
      heads++;
      return [[1, 2, 3].slice(0, limit)];
    },
  });
  assert.equal(table.numRows, 3);
  assert.deepEqual(table.preview(2).rows, [[1], [2]]);
  assert.equal(loads, 0, 'a preview converts only the first rows');
  assert.equal(heads, 1);
  assert.deepEqual(table.rows, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.deepEqual(table.column('n'), [1, 2, 3]);
  assert.equal(loads, 1, 'the full conversion happens once');
  assert.deepEqual(table.preview(1).rows, [[1]]);
  assert.equal(heads, 1, 'once loaded, previews read the converted data');
});
