/**
 * Renaming a declared name in the cells that read it (src/analysis/rename.ts): free occurrences
 * only, in JS, TS (through the source map), SQL (`${…}`, tables, column qualifiers) and prose;
 * a cell that cannot be rewritten for certain is reported, not half renamed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeCell } from '../../../src/analysis/index.js';
import { renameReferences, type RenameRewrite } from '../../../src/analysis/rename.js';
import { codeCell, proseCell } from './helpers.js';

function rewritten(result: RenameRewrite): string {
  assert.equal(result.kind, 'rewritten', JSON.stringify(result));
  return (result as { source: string }).source;
}

test('JS: free reads are renamed; locals, properties, strings and comments are not', () => {
  const source = [
    'const total = orders.rows.length; // orders',
    'const pick = (orders) => orders.rows;',
    "const label = 'orders' + x.orders;",
    'const both = { orders, n: orders.count };',
    'function f() { const orders = 1; return orders; }',
  ].join('\n');
  assert.equal(
    rewritten(renameReferences(codeCell('js', source), 'orders', 'sales')),
    [
      'const total = sales.rows.length; // orders',
      'const pick = (orders) => orders.rows;',
      "const label = 'orders' + x.orders;",
      'const both = { orders: sales, n: sales.count };',
      'function f() { const orders = 1; return orders; }',
    ].join('\n'),
  );
});

test('JS: the tables of a sql`…` template are renamed, with their column qualifiers', () => {
  const source = 'const top = await sql`select orders.region from orders where total > ${min}`;';
  assert.equal(
    rewritten(renameReferences(codeCell('js', source), 'orders', 'sales')),
    'const top = await sql`select sales.region from sales where total > ${min}`;',
  );
});

test('TS: occurrences are found in the TypeScript the JavaScript came from; types are left alone', () => {
  const source = [
    'interface Row { orders: number; total: number }',
    'const rows: Row[] = orders.rows as Row[];',
    'const f = (x: number): number => orders.rows.length + x;',
    'const o = { orders };',
    'const sum = rows.reduce((s: number, r) => s + r.total, 0) + orders.count!;',
  ].join('\n');
  const result = rewritten(renameReferences(codeCell('ts', source), 'orders', 'sales'));
  assert.equal(
    result,
    [
      'interface Row { orders: number; total: number }',
      'const rows: Row[] = sales.rows as Row[];',
      'const f = (x: number): number => sales.rows.length + x;',
      'const o = { orders: sales };',
      'const sum = rows.reduce((s: number, r) => s + r.total, 0) + sales.count!;',
    ].join('\n'),
  );
  // the rewritten cell reads the new name and no longer the old one
  const references = analyzeCell(codeCell('ts', result)).references;
  assert.ok(references.includes('sales'));
  assert.ok(!references.includes('orders'));
});

test('TS: the tables of a sql`…` template are found in the TypeScript, after typed ${…}', () => {
  const source = [
    'const limit: number = 10;',
    'const top = await sql`select * from orders where n > ${(limit as number) + 1} and orders.n < 5`;',
  ].join('\n');
  assert.equal(
    rewritten(renameReferences(codeCell('ts', source), 'orders', 'sales')),
    source.replace('from orders', 'from sales').replace('and orders.n', 'and sales.n'),
  );
});

test('SQL: tables, quoted tables, column qualifiers and ${…} are renamed; strings and CTEs are not', () => {
  const source = [
    "select orders.region, 'orders' as label",
    'from orders join "orders" o2 on true',
    'where orders.total > ${orders.rows[0].total} -- from orders',
  ].join('\n');
  assert.equal(
    rewritten(renameReferences(codeCell('sql', source), 'orders', 'sales')),
    [
      "select sales.region, 'orders' as label",
      'from sales join "sales" o2 on true',
      'where sales.total > ${sales.rows[0].total} -- from orders',
    ].join('\n'),
  );
  const cte = 'with orders as (select 1 as n) select * from orders';
  assert.deepEqual(renameReferences(codeCell('sql', cte), 'orders', 'sales'), { kind: 'unchanged' });
});

test('prose: the names in ${…} are renamed, the text around them is not', () => {
  const source = 'We had orders: ${orders.rows.length} of them (${fmt(orders)}). \\${orders} stays.';
  assert.equal(
    rewritten(renameReferences(proseCell(source), 'orders', 'sales')),
    'We had orders: ${sales.rows.length} of them (${fmt(sales)}). \\${orders} stays.',
  );
});

test('a cell that does not parse is reported, not rewritten; a cell without the name is unchanged', () => {
  const broken = renameReferences(codeCell('js', 'orders.rows.map((r) => '), 'orders', 'sales');
  assert.equal(broken.kind, 'unsafe');
  assert.deepEqual(renameReferences(codeCell('ts', 'const y = 1;'), 'orders', 'sales'), {
    kind: 'unchanged',
  });
});
