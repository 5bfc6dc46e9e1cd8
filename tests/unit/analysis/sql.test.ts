/** SQL cells: `${…}` → `$n` parameters, and the names a query may read as tables. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CellSourceError,
  analyzeCell,
  compileSqlCell,
  findTableCandidates,
} from '../../../src/analysis/index.js';
import { codeCell } from './helpers.js';

interface ParamCase {
  name: string;
  source: string;
  sql: string;
  parameters: string[];
  references: string[];
}

const paramCases: ParamCase[] = [
  {
    name: 'each occurrence is its own parameter',
    source: 'select * from t where a = ${x} and b = ${x}',
    sql: 'select * from t where a = $1 and b = $2',
    parameters: ['x', 'x'],
    references: ['x'],
  },
  {
    name: 'expressions with braces, strings and templates',
    source: "select ${ {a: '}'}.a + `${y}` } as v, ${f({b: 1}) /* } */}",
    sql: 'select $1 as v, $2',
    parameters: ["{a: '}'}.a + `${y}`", 'f({b: 1}) /* } */'],
    references: ['y', 'f'],
  },
  {
    name: 'free names only: members, locals and arrows',
    source: 'select ${params.min * 2}, ${xs.map((v) => v + k)}',
    sql: 'select $1, $2',
    parameters: ['params.min * 2', 'xs.map((v) => v + k)'],
    references: ['params', 'xs', 'k'],
  },
  {
    name: '\\${ is a literal ${',
    source: 'select \\${x} as ${y}',
    sql: 'select ${x} as $1',
    parameters: ['y'],
    references: ['y'],
  },
  {
    name: 'a string that is one interpolation becomes the parameter',
    source: "where region = '${region}'",
    sql: 'where region = $1',
    parameters: ['region'],
    references: ['region'],
  },
  {
    name: 'an interpolation inside a longer string is concatenated',
    source: "where name like '%${q}%' and s = 'it''s ${who}'",
    sql: "where name like ('%' || $1 || '%') and s = ('it''s ' || $2)",
    parameters: ['q', 'who'],
    references: ['q', 'who'],
  },
  {
    name: 'a string containing a quote in its interpolation',
    source: "where s = '${\"it's\"}'",
    sql: 'where s = $1',
    parameters: ['"it\'s"'],
    references: [],
  },
  {
    name: 'E-strings with backslash escapes',
    source: "select E'a\\'b${x}'",
    sql: "select (E'a\\'b' || $1)",
    parameters: ['x'],
    references: ['x'],
  },
  {
    name: 'comments, dollar strings and quoted identifiers keep ${ as text',
    source:
      'select 1 -- and a = ${a}\n/* ${b} */ , $$ ${c} $$, $tag$ ${d} $tag$, "${e}" from t where f = ${g}',
    sql: 'select 1 -- and a = ${a}\n/* ${b} */ , $$ ${c} $$, $tag$ ${d} $tag$, "${e}" from t where f = $1',
    parameters: ['g'],
    references: ['g'],
  },
  {
    name: 'strings without interpolations are untouched',
    source: "select 'a''b', E'\\n', '$1' from t",
    sql: "select 'a''b', E'\\n', '$1' from t",
    parameters: [],
    references: [],
  },
];

for (const c of paramCases) {
  test(`parameters: ${c.name}`, () => {
    const compiled = compileSqlCell(c.source);
    assert.equal(compiled.sql, c.sql);
    assert.deepEqual(compiled.parameters, c.parameters);
    assert.deepEqual(compiled.parameterReferences, c.references);
  });
}

const tableCases: [name: string, sql: string, tables: string[]][] = [
  ['from', 'select * from orders', ['orders']],
  ['FROM-first and upper case', 'FROM Orders SELECT a, b', ['Orders']],
  [
    'joins of every kind',
    'select * from a join b on a.x = b.x left outer join c using (x) cross join d natural join e asof join f on true',
    ['a', 'b', 'c', 'd', 'e', 'f'],
  ],
  [
    'comma-separated FROM list with aliases',
    'select * from a x, b as y, c where x.id = y.id',
    ['a', 'b', 'c'],
  ],
  ['commas in SELECT and GROUP BY are not tables', 'select p, q from a group by p, q order by p, q', ['a']],
  ['quoted identifiers', 'select * from "My Table" join "a""b" on true', ['My Table', 'a"b']],
  ['schema-qualified names are not candidates', 'select * from main.orders, db.s.t, u', ['u']],
  ['table functions are not candidates', "select * from read_csv('x.csv') join range(10) r on true", []],
  ['strings are not tables', "select * from 'data/x.parquet'", []],
  [
    'CTE names are removed',
    'with recursive t(n) as (select 1), u as materialized (select * from base) select * from t, u, v',
    ['base', 'v'],
  ],
  ['subqueries', 'select * from (select * from inner_t) s join lateral (select 1) l on true', ['inner_t']],
  ['comments are skipped', 'select * -- from not_this\nfrom /* from nor_this */ yes_this', ['yes_this']],
  [
    'FROM inside function calls reads no table',
    'select extract(year from ts), substring(s from 2), trim(both from s) from t',
    ['t'],
  ],
  ['a subquery inside a call still counts', 'select array(select x from inner_t) from t', ['inner_t', 't']],
  ['IS DISTINCT FROM compares values', 'select * from t where a is distinct from b', ['t']],
  [
    'INSERT INTO, UPDATE, CREATE TABLE',
    'insert into dst (a, b) select * from src; update u set a = 1; create table if not exists c as select 1',
    ['dst', 'src', 'u', 'c'],
  ],
  [
    'DuckDB PIVOT, SUMMARIZE, DESCRIBE',
    'pivot cities on year; summarize orders; describe items',
    ['cities', 'orders', 'items'],
  ],
  ['parameters and ONLY', 'select * from only parent where x = $1', ['parent']],
];

for (const [name, sql, tables] of tableCases) {
  test(`tables: ${name}`, () => assert.deepEqual(findTableCandidates(sql), tables));
}

test('a SQL cell declares its name and references parameters and tables', () => {
  const source =
    'select region, sum(total) as total\nfrom orders_js\nwhere region = ${region} and total >= ${min_total}\ngroup by region';
  const analysis = analyzeCell(codeCell('sql', source, 'orders'));
  assert.deepEqual(analysis, { declarations: ['orders'], references: ['region', 'min_total', 'orders_js'] });
  assert.deepEqual(analyzeCell(codeCell('sql', 'select 1')).declarations, []);
});

test('an invalid interpolation is an error at its cell position, and the name is still declared', () => {
  const analysis = analyzeCell(codeCell('sql', 'select 1\nwhere a = ${x +}', 'q'));
  assert.deepEqual(analysis.declarations, ['q']);
  assert.equal(analysis.error?.line, 2);
  assert.equal(analysis.error?.column, 16);
  assert.throws(() => compileSqlCell('select ${a b}'), CellSourceError);
  assert.throws(() => compileSqlCell('select ${a'), CellSourceError);
});
