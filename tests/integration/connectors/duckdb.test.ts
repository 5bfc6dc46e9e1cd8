// Real DuckDB through the SqlEngine: files, parameters, JS tables, multi-statement cells,
// type mapping, errors with lines, and the lockdown that stands in for Node's fs allow-list.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDuckDb, type SqlEngine } from '../../../src/connectors/kernel/duckdb.js';
import { QuireTable, isTableValue, tableFromRows } from '../../../src/connectors/kernel/table.js';

let workspace: string;
let engine: SqlEngine;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-duckdb-'));
  fs.mkdirSync(path.join(workspace, 'data'));
  fs.writeFileSync(path.join(workspace, 'data', 'orders.csv'), 'region,total\nEU,10\nUS,20\nEU,5\n');
  fs.writeFileSync(path.join(workspace, 'data', 'items.json'), '[{"id":1,"tags":["a"]},{"id":2,"tags":[]}]');
  engine = await openDuckDb({ workspace, scratch: path.join(workspace, '.scratch') });
});

after(async () => {
  await engine.close();
  fs.rmSync(workspace, { recursive: true, force: true });
});

const run = (sql: string, parameters: unknown[] = [], tables: Record<string, unknown> = {}, name?: string) =>
  engine.execute({ sql, parameters, tables, ...(name ? { name } : {}) });

async function failure(promise: Promise<unknown>): Promise<Error & { line?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { line?: number };
  }
  assert.fail('expected the query to fail');
}

const file = (name: string) => path.join(workspace, name).replaceAll("'", "''");

describe('files in the workspace', () => {
  test('reads CSV', async () => {
    const t = await run(
      `select region, sum(total) as total from read_csv('${file('data/orders.csv')}') group by region order by region`,
    );
    assert.deepEqual(t.rows, [
      { region: 'EU', total: 15 },
      { region: 'US', total: 20 },
    ]);
  });

  test('writes Parquet to scratch and reads it back', async () => {
    await run(`copy (select i, i * 2 as j from range(5) t(i)) to (scratch('x.parquet')) (format parquet)`);
    const t = await run(`select count(*) as n, sum(j) as s from read_parquet(scratch('x.parquet'))`);
    assert.deepEqual(t.rows, [{ n: 5, s: 20 }]);
  });

  test('reads JSON', async () => {
    const t = await run(`select id, tags from read_json('${file('data/items.json')}') order by id`);
    assert.deepEqual(t.rows, [
      { id: 1, tags: ['a'] },
      { id: 2, tags: [] },
    ]);
  });

  test('a relative path resolves against the cwd when it is the workspace', async () => {
    const cwd = process.cwd();
    process.chdir(workspace);
    try {
      const t = await run(`select count(*) as n from read_csv('data/orders.csv')`);
      assert.equal(t.rows[0]?.n, 3);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('lockdown', () => {
  test('/etc/passwd cannot be read', async () => {
    const error = await failure(run(`select * from read_csv('/etc/passwd')`));
    assert.match(error.message, /Permission Error/);
  });

  test('a path escaping the workspace with .. is refused', async () => {
    const error = await failure(run(`select * from read_csv('${file('../../../etc/passwd')}')`));
    assert.match(error.message, /Permission Error/);
  });

  test('writing into the workspace is refused (only scratch is writable)', async () => {
    const error = await failure(run(`copy (select 1) to '${file('data/x.parquet')}' (format parquet)`));
    assert.match(error.message, /SQL cells may write files only under the scratch folder/);
    assert.equal(fs.existsSync(path.join(workspace, 'data', 'x.parquet')), false);
  });

  test('writing outside the workspace is refused', async () => {
    const outside = path.join(os.tmpdir(), `quire-escape-${process.pid}.csv`);
    await failure(run(`copy (select 1) to '${outside}'`));
    assert.equal(fs.existsSync(outside), false);
  });

  for (const statement of [
    'SET enable_external_access=true',
    'SET lock_configuration=false',
    "SET allowed_directories=['/']",
    'RESET allowed_directories',
  ]) {
    test(`the configuration is locked: ${statement}`, async () => {
      const error = await failure(run(statement));
      assert.match(error.message, /locked/);
    });
  }

  test('ATTACH and INSTALL outside are refused', async () => {
    await failure(run(`attach '${path.join(os.tmpdir(), 'x.duckdb')}'`));
    await failure(run('install httpfs'));
  });
});

describe('parameters', () => {
  test('binds strings, numbers, booleans, Dates and null', async () => {
    const when = new Date('2024-05-06T07:08:09.123Z');
    const t = await run('select $1 as s, $2 as i, $3 as d, $4 as b, $5 as ts, $6 as n', [
      'EU',
      42,
      1.5,
      true,
      when,
      null,
    ]);
    assert.deepEqual(t.rows[0], { s: 'EU', i: 42, d: 1.5, b: true, ts: when, n: null });
  });

  test('an injection attempt stays a literal', async () => {
    const t = await run(
      `select count(*) as n from read_csv('${file('data/orders.csv')}') where region = $1`,
      ["x' OR 1=1 --"],
    );
    assert.equal(t.rows[0]?.n, 0);
    const echo = await run('select $1 as v', ["x' OR 1=1 --"]);
    assert.equal(echo.rows[0]?.v, "x' OR 1=1 --");
  });

  test('filters with a bound parameter', async () => {
    const t = await run(
      `select region from read_csv('${file('data/orders.csv')}') where total >= $1 order by total`,
      [10],
    );
    assert.deepEqual(
      t.rows.map((r) => r.region),
      ['EU', 'US'],
    );
  });

  test('each statement of a cell uses its own subset of the parameters', async () => {
    const t = await run('create temp table p(a int); insert into p values ($1); select a, $2 as b from p', [
      7,
      'x',
    ]);
    assert.deepEqual(t.rows, [{ a: 7, b: 'x' }]);
    await run('drop table p');
  });

  test('a missing parameter is an error', async () => {
    const error = await failure(run('select $2 as v', [1]));
    assert.match(error.message, /\$2/);
  });
});

describe('notebook values as tables', () => {
  test('a JS array of objects with nulls, dates and mixed numbers', async () => {
    const people = [
      { name: 'ana', age: 31, joined: new Date('2020-01-02T00:00:00Z'), score: 1 },
      { name: 'bo', age: null, joined: null, score: 2.5 },
      { name: 'cy', age: 12, joined: new Date('2021-03-04T05:06:07Z'), score: 3, extra: { x: 1 } },
    ];
    const t = await run('select * from people order by name', [], { people });
    assert.deepEqual(
      t.columns.map((c) => `${c.name}:${c.type}`),
      ['name:VARCHAR', 'age:BIGINT', 'joined:TIMESTAMP', 'score:DOUBLE', 'extra:JSON'],
    );
    assert.deepEqual(t.rows[0], { name: 'ana', age: 31, joined: people[0]?.joined, score: 1, extra: null });
    assert.deepEqual(t.rows[1], { name: 'bo', age: null, joined: null, score: 2.5, extra: null });
    assert.deepEqual(t.rows[2]?.extra, { x: 1 });
    const agg = await run(
      'select count(age) as n, avg(score) as s from people where joined >= $1',
      [new Date('2020-06-01Z')],
      { people },
    );
    assert.deepEqual(agg.rows, [{ n: 1, s: 3 }]);
  });

  test('a result referenced by name in the next query (kept in DuckDB)', async () => {
    const orders = await run(`select * from read_csv('${file('data/orders.csv')}')`, [], {}, 'orders');
    assert.ok(orders instanceof QuireTable && orders.origin, 'a named result is kept');
    const t = await run('select region, count(*) as n from orders group by region order by region', [], {
      orders,
    });
    assert.deepEqual(t.rows, [
      { region: 'EU', n: 2 },
      { region: 'US', n: 1 },
    ]);
  });

  test('a stale result (its cell re-ran) is loaded from its rows instead', async () => {
    const first = await run('select 1 as v', [], {}, 'stale');
    await run('select 2 as v', [], {}, 'stale');
    const t = await run('select v from stale', [], { stale: first });
    assert.deepEqual(t.rows, [{ v: 1 }]);
  });

  test('an unnamed result and a table built in JS are loaded from their rows', async () => {
    const unnamed = await run('select 5 as v');
    const built = tableFromRows([{ name: 'w', type: 'number' }], [[6]]);
    const t = await run('select v from a union all select w from b order by 1', [], { a: unnamed, b: built });
    assert.deepEqual(t.rows, [{ v: 5 }, { v: 6 }]);
  });

  test('registered names do not linger after the query', async () => {
    await run('select * from tmp_people', [], { tmp_people: [{ a: 1 }] });
    const error = await failure(run('select * from tmp_people'));
    assert.match(error.message, /tmp_people/);
  });

  test('values that are not tables are ignored (a column may share the name)', async () => {
    const t = await run('select region from orders_file', [], {
      region: 'EU',
      orders_file: [{ region: 'US' }],
    });
    assert.deepEqual(t.rows, [{ region: 'US' }]);
  });

  test('an unknown name is DuckDB’s error, not a crash', async () => {
    const error = await failure(run('select * from nowhere_at_all'));
    assert.match(error.message, /Catalog Error: Table with name nowhere_at_all does not exist/);
    assert.equal(error.line, 1);
  });
});

describe('PIVOT, UNPIVOT and several statements (the DuckDB docs examples)', () => {
  const cities = `CREATE OR REPLACE TEMP TABLE cities AS SELECT * FROM (VALUES
    ('NL', 'Amsterdam', 2000, 1005), ('NL', 'Amsterdam', 2010, 1065), ('NL', 'Amsterdam', 2020, 1158),
    ('US', 'Seattle', 2000, 564), ('US', 'Seattle', 2010, 608), ('US', 'Seattle', 2020, 738),
    ('US', 'New York City', 2000, 8015), ('US', 'New York City', 2010, 8175), ('US', 'New York City', 2020, 8772)
  ) t(country, name, year, population)`;
  const monthly = `CREATE OR REPLACE TEMP TABLE monthly_sales AS SELECT * FROM (VALUES
    (1, 'electronics', 1, 2, 3, 4, 5, 6), (2, 'clothes', 10, 20, 30, 40, 50, 60), (3, 'cars', 100, 200, 300, 400, 500, 600)
  ) t(empid, dept, jan, feb, mar, apr, may, jun)`;
  const byName = (rows: Record<string, unknown>[]) =>
    [...rows].sort((a, b) => String(a.name).localeCompare(String(b.name)));

  test('PIVOT cities ON year USING sum(population)', async () => {
    await run(cities);
    const t = await run('PIVOT cities ON year USING sum(population)');
    assert.deepEqual(
      t.columns.map((c) => c.name),
      ['country', 'name', '2000', '2010', '2020'],
    );
    assert.deepEqual(byName(t.rows), [
      { country: 'NL', name: 'Amsterdam', 2000: 1005, 2010: 1065, 2020: 1158 },
      { country: 'US', name: 'New York City', 2000: 8015, 2010: 8175, 2020: 8772 },
      { country: 'US', name: 'Seattle', 2000: 564, 2010: 608, 2020: 738 },
    ]);
  });

  test("the issue's cell: PIVOT sales ON year USING sum(total), in the same cell as its table", async () => {
    const t = await run(`
      create or replace temp table sales as
        select * from (values (2023, 'EU', 10), (2023, 'US', 5), (2024, 'EU', 7)) t(year, region, total);
      PIVOT sales ON year USING sum(total) ORDER BY region`);
    assert.deepEqual(t.rows, [
      { region: 'EU', 2023: 10, 2024: 7 },
      { region: 'US', 2023: 5, 2024: null },
    ]);
  });

  test('UNPIVOT with a column list and with COLUMNS(* EXCLUDE …)', async () => {
    await run(monthly);
    const listed = await run(
      'UNPIVOT monthly_sales ON jan, feb, mar, apr, may, jun INTO NAME month VALUE sales ORDER BY empid, month',
    );
    assert.equal(listed.numRows, 18);
    assert.deepEqual(listed.rows[0], { empid: 1, dept: 'electronics', month: 'apr', sales: 4 });
    const excluded = await run(
      'UNPIVOT monthly_sales ON COLUMNS(* EXCLUDE (empid, dept)) INTO NAME month VALUE sales',
    );
    assert.equal(excluded.numRows, 18);
  });

  test('PIVOT of an UNPIVOT, named, is kept and read by the next query', async () => {
    await run(monthly);
    const wide = await run(
      'PIVOT (UNPIVOT monthly_sales ON jan, feb INTO NAME month VALUE sales) ON month USING sum(sales) GROUP BY dept',
      [],
      {},
      'wide',
    );
    assert.ok(wide instanceof QuireTable && wide.origin, 'the result is kept in DuckDB');
    const t = await run('select dept, jan + feb as total from wide order by dept', [], { wide });
    assert.deepEqual(t.rows, [
      { dept: 'cars', total: 300 },
      { dept: 'clothes', total: 30 },
      { dept: 'electronics', total: 3 },
    ]);
  });

  test('CREATE TABLE t AS …; SELECT * FROM t: the last statement is the result', async () => {
    const t = await run(
      'CREATE OR REPLACE TEMP TABLE t2 AS SELECT 41 AS v; SELECT v + 1 AS v FROM t2',
      [],
      {},
      'answer',
    );
    assert.deepEqual(t.rows, [{ v: 42 }]);
    assert.ok(t instanceof QuireTable && t.origin);
  });

  test('parameters in the statement before a PIVOT', async () => {
    await run(cities);
    const t = await run(
      `CREATE OR REPLACE TEMP TABLE recent AS SELECT * FROM cities WHERE year >= $1 AND country = $2;
       PIVOT recent ON year USING sum(population)`,
      [2010, 'US'],
    );
    assert.deepEqual(
      t.columns.map((c) => c.name),
      ['country', 'name', '2010', '2020'],
    );
    assert.equal(t.numRows, 2);
  });

  test('a PIVOT with a parameter in its source: DuckDB says why, at the line, with the way out', async () => {
    await run(cities);
    const error = await failure(
      run('select 1;\nPIVOT (select * from cities where year >= $1)\nON year USING sum(population)', [2010]),
    );
    assert.match(error.message, /cannot have parameters in their source/);
    assert.match(error.message, /CREATE TEMP TABLE/);
    assert.equal(error.line, 2);
  });

  test("an error inside a PIVOT points at the PIVOT's line (DuckDB's LINE counts its generated SQL)", async () => {
    await run(cities);
    const error = await failure(run('select 1;\n\nPIVOT cities ON year\nUSING sum(nope)'));
    assert.match(error.message, /nope/);
    assert.equal(error.line, 3);
  });
});

describe('statements and errors', () => {
  test('runs several statements in order; the last one is the result', async () => {
    const t = await run(`
      create temp table m(a int);
      insert into m values (1), (2);
      -- a comment; with a semicolon
      select sum(a) as s from m;
    `);
    assert.deepEqual(t.rows, [{ s: 3 }]);
    await run('drop table m');
  });

  test('a last statement without rows gives an empty table', async () => {
    const t = await run('create temp table e(a int); insert into e values (1)');
    assert.equal(t.numRows, 1); // INSERT reports its count as a one-row table
    const d = await run('drop table e');
    assert.equal(d.numRows, 0);
    assert.ok(isTableValue(d));
    const empty = await run('  -- only a comment\n');
    assert.equal(empty.numRows, 0);
  });

  test('a semicolon inside a string does not split', async () => {
    const t = await run("select 'a;b' as s; ");
    assert.deepEqual(t.rows, [{ s: 'a;b' }]);
  });

  test('a syntax error carries its line', async () => {
    const error = await failure(run('select 1;\n\nselec 2'));
    assert.match(error.message, /syntax error/);
    assert.equal(error.line, 3);
  });

  test('a binder error in a later statement carries its cell line', async () => {
    const error = await failure(run('select 1;\nselect\n  nope_col\nfrom range(3)'));
    assert.match(error.message, /nope_col/);
    assert.equal(error.line, 3);
  });

  test('a runtime error carries its line', async () => {
    const error = await failure(run("select 1 as a,\n  'x'::int as b"));
    assert.match(error.message, /Conversion Error/);
    assert.equal(error.line, 2);
  });
});

describe('type mapping (docs/sql.md)', () => {
  const cases: [string, string, unknown][] = [
    ['42::bigint', 'BIGINT', 42],
    ['9007199254740993::bigint', 'BIGINT', 9007199254740993n],
    ['170141183460469231731687303715884105727::hugeint', 'HUGEINT', 170141183460469231731687303715884105727n],
    ['7::hugeint', 'HUGEINT', 7],
    ['18446744073709551615::ubigint', 'UBIGINT', 18446744073709551615n],
    ['7::integer', 'INTEGER', 7],
    ['7::smallint', 'SMALLINT', 7],
    ['7::tinyint', 'TINYINT', 7],
    ['1.25::double', 'DOUBLE', 1.25],
    ['1.25::float', 'FLOAT', 1.25],
    ['12.34::decimal(10,2)', 'DECIMAL(10,2)', 12.34],
    ["'hé'::varchar", 'VARCHAR', 'hé'],
    ['true', 'BOOLEAN', true],
    ["date '2024-02-29'", 'DATE', new Date('2024-02-29T00:00:00Z')],
    ["timestamp '2024-02-29 10:11:12.345678'", 'TIMESTAMP', new Date('2024-02-29T10:11:12.345Z')],
    ["'2024-02-29 10:11:12.123456789'::timestamp_ns", 'TIMESTAMP_NS', new Date('2024-02-29T10:11:12.123Z')],
    ["'2024-02-29 10:11:12.5'::timestamp_ms", 'TIMESTAMP_MS', new Date('2024-02-29T10:11:12.500Z')],
    ["'2024-02-29 10:11:12'::timestamp_s", 'TIMESTAMP_S', new Date('2024-02-29T10:11:12Z')],
    ["timestamptz '2024-02-29 10:00:00+02'", 'TIMESTAMP WITH TIME ZONE', new Date('2024-02-29T08:00:00Z')],
    ["time '08:09:10'", 'TIME', '08:09:10'],
    ["time '08:09:10.123456'", 'TIME', '08:09:10.123456'],
    ["interval '1 month 2 days 3 seconds'", 'INTERVAL', { months: 1, days: 2, micros: 3_000_000 }],
    ["'\\xAA\\x01'::blob", 'BLOB', new Uint8Array([0xaa, 0x01])],
    ["'00000000-0000-0000-0000-000000000001'::uuid", 'UUID', '00000000-0000-0000-0000-000000000001'],
    ['[1, 2, null]', 'INTEGER[]', [1, 2, null]],
    [
      "{'a': 1, 'b': [date '2024-01-01']}",
      'STRUCT(a INTEGER, b DATE[])',
      { a: 1, b: [new Date('2024-01-01T00:00:00Z')] },
    ],
    ["map {'k': 1::bigint}", 'MAP(VARCHAR, BIGINT)', { k: 1 }],
    ["'a'::enum('a', 'b')", "ENUM('a', 'b')", 'a'],
    ['null', 'INTEGER', null],
    ['\'{"x": [1]}\'::json', 'JSON', { x: [1] }],
  ];
  for (const [expr, type, expected] of cases) {
    test(`${type}: ${expr}`, async () => {
      const t = await run(`select ${expr} as v`);
      assert.equal(t.columns[0]?.type.replaceAll('"', ''), type);
      const value = t.rows[0]?.v;
      if (expected instanceof Uint8Array) assert.deepEqual(new Uint8Array(value as Uint8Array), expected);
      else assert.deepEqual(value, expected);
      assert.doesNotThrow(() => JSON.stringify(t.preview(1)));
    });
  }

  test('the preview is JSON-safe', async () => {
    const t = await run(
      "select 9007199254740993::bigint as big, 1::bigint as small, timestamp '2024-01-01 00:00:00' as ts, '\\xAA'::blob as b",
    );
    assert.deepEqual(t.preview(10), {
      columns: t.columns,
      rows: [['9007199254740993', 1, '2024-01-01T00:00:00.000Z', 'qg==']],
      rowCount: 1,
      truncated: false,
    });
  });

  test('columns are stored once and .rows is built lazily and cached', async () => {
    const t = await run('select i, i * 2 as j from range(3000) t(i)');
    assert.ok(t instanceof QuireTable);
    assert.deepEqual(t.column('j')?.slice(0, 3), [0, 2, 4]);
    assert.equal(t.rows, t.rows);
    assert.equal(t.rows.length, 3000);
    assert.deepEqual(t.preview(2).rows, [
      [0, 0],
      [1, 2],
    ]);
    assert.equal(t.preview(2).truncated, true);
  });
});
