/**
 * SQL cells in the kernel: embedded DuckDB with bound parameters and JS tables, PIVOT and cells of
 * several statements, host connections; and what DuckDB may touch: writes only under scratch, no
 * reads of the hidden folders, a memory share that ends in a clear error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ConnectionProvider } from '../../../src/kernel/host.js';
import { packageRoot } from '../../../src/kernel/paths.js';
import type { ExecuteSql } from '../../../src/kernel/protocol.js';
import { dataOf, js, kernelPerSuite, run, withKernel } from './helpers.js';

function sqlCell(
  sql: string,
  fields: Partial<Omit<ExecuteSql, 'execution'>> = {},
): Omit<ExecuteSql, 'execution'> {
  return {
    type: 'executeSql',
    cellId: `s-${Math.random()}`,
    inputs: [],
    sql,
    parameters: [],
    tables: [],
    ...fields,
  };
}

/** A host-side connection as the connectors module provides it: here one in-memory table. */
const connections: ConnectionProvider = {
  async query(connection, sql, parameters) {
    if (connection !== 'warehouse') throw new Error(`unknown connection "${connection}"`);
    return {
      columns: [{ name: 'echo', type: 'text' }],
      rows: [[`${sql} with ${JSON.stringify(parameters)}`]],
    };
  },
};

describe('SQL cells', () => {
  const fixture = kernelPerSuite({ files: { 'cities.csv': 'name,pop\nLyon,500\nNice,340\n' }, connections });

  test('parameters are bound, the result is named and usable from JS', async () => {
    await run(fixture.kernel, js('const minPop = 400; return {minPop};', { declarations: ['minPop'] }));
    const cell = sqlCell("select name from read_csv('cities.csv') where pop > $1", {
      inputs: ['minPop'],
      parameters: ['minPop'],
      name: 'big',
    });
    const { result, outputs } = await run(fixture.kernel, cell);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.declared, ['big']);
    assert.match(result.versions?.duckdb ?? '', /^v\d/);
    assert.equal(outputs[0]?.mime, 'application/vnd.quire.table+json');
    const { outputs: shown } = await run(
      fixture.kernel,
      js('return {__quire_last: big.rows.map((r) => r.name)};', { inputs: ['big'] }),
    );
    assert.deepEqual(shown, [{ mime: 'application/json', data: ['Lyon'] }]);
  });

  test('a JS array named in FROM is queried as a table', async () => {
    await run(
      fixture.kernel,
      js('const people = [{n: "a", age: 3}, {n: "b", age: 9}]; return {people};', {
        declarations: ['people'],
      }),
    );
    const { result } = await run(
      fixture.kernel,
      sqlCell('select sum(age) as total from people', { tables: ['people'], name: 'total' }),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const { outputs } = await run(
      fixture.kernel,
      js('return {__quire_last: Number(total.rows[0].total)};', { inputs: ['total'] }),
    );
    assert.deepEqual(outputs, [{ mime: 'text/plain', data: '12' }]);
  });

  test("a SQL error carries DuckDB's message and line", async () => {
    const { result } = await run(fixture.kernel, sqlCell('select 1,\n  nosuchcolumn\nfrom range(3)'));
    assert.equal(result.status, 'error');
    assert.equal(result.failure, 'exception');
    assert.match(result.error?.message ?? '', /nosuchcolumn/);
    assert.equal(result.error?.line, 2);
  });

  test('a query on a named connection runs in the host', async () => {
    const { result, outputs } = await run(
      fixture.kernel,
      sqlCell('select $1', { parameters: ['40 + 2'], connection: 'warehouse', name: 'w' }),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.declared, ['w']);
    const table = outputs[0]?.data as { rows: unknown[][] };
    assert.deepEqual(table.rows, [['select $1 with [42]']]);
  });

  test('a missing connection is an error naming it', async () => {
    const { result } = await run(fixture.kernel, sqlCell('select 1', { connection: 'nowhere' }));
    assert.equal(result.status, 'error');
    assert.match(result.error?.message ?? '', /nowhere/);
  });
});

const CITIES = `CREATE OR REPLACE TEMP TABLE cities AS SELECT * FROM (VALUES
  ('NL', 'Amsterdam', 2000, 1005), ('NL', 'Amsterdam', 2010, 1065), ('NL', 'Amsterdam', 2020, 1158),
  ('US', 'Seattle', 2000, 564), ('US', 'Seattle', 2010, 608), ('US', 'Seattle', 2020, 738),
  ('US', 'New York City', 2000, 8015), ('US', 'New York City', 2010, 8175), ('US', 'New York City', 2020, 8772)
) t(country, name, year, population)`;

describe('SQL cells of DuckDB statements: PIVOT, UNPIVOT, several statements', () => {
  const fixture = kernelPerSuite();

  /** A table's column names and rows, as JS sees them. */
  async function tableOf(name: string): Promise<[string[], Record<string, unknown>[]]> {
    const { result, outputs } = await run(
      fixture.kernel,
      js(`return {__quire_last: JSON.stringify([${name}.columns.map((c) => c.name), ${name}.rows])};`, {
        inputs: [name],
      }),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    return JSON.parse(dataOf(outputs, 'text/plain')[0] as string) as [string[], Record<string, unknown>[]];
  }

  test('a PIVOT cell (with its table in the same cell) is bound to its name', async () => {
    const { result } = await run(
      fixture.kernel,
      sqlCell(`${CITIES};\nPIVOT cities ON year USING sum(population) ORDER BY name`, { name: 'pivoted' }),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.declared, ['pivoted']);
    const [columns, rows] = await tableOf('pivoted');
    assert.deepEqual(columns, ['country', 'name', '2000', '2010', '2020']);
    assert.deepEqual(rows, [
      { country: 'NL', name: 'Amsterdam', 2000: 1005, 2010: 1065, 2020: 1158 },
      { country: 'US', name: 'New York City', 2000: 8015, 2010: 8175, 2020: 8772 },
      { country: 'US', name: 'Seattle', 2000: 564, 2010: 608, 2020: 738 },
    ]);
  });

  test("the issue's cell: PIVOT sales ON year USING sum(total), over a JS array", async () => {
    await run(
      fixture.kernel,
      js(
        'const sales = [{year: 2023, region: "EU", total: 10}, {year: 2024, region: "EU", total: 7}, {year: 2023, region: "US", total: 5}]; return {sales};',
        { declarations: ['sales'] },
      ),
    );
    const { result } = await run(
      fixture.kernel,
      sqlCell('PIVOT sales ON year USING sum(total) ORDER BY region', {
        tables: ['sales'],
        inputs: ['sales'],
        name: 'byYear',
      }),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(await tableOf('byYear'), [
      ['region', '2023', '2024'],
      [
        { region: 'EU', 2023: 10, 2024: 7 },
        { region: 'US', 2023: 5, 2024: null },
      ],
    ]);
  });

  test('UNPIVOT of the PIVOT result, read by name from the kept table', async () => {
    const { result } = await run(
      fixture.kernel,
      sqlCell(
        'UNPIVOT pivoted ON COLUMNS(* EXCLUDE (country, name)) INTO NAME year VALUE population ORDER BY name, year LIMIT 2',
        { tables: ['pivoted'], inputs: ['pivoted'], name: 'long' },
      ),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual((await tableOf('long'))[1], [
      { country: 'NL', name: 'Amsterdam', year: '2000', population: 1005 },
      { country: 'NL', name: 'Amsterdam', year: '2010', population: 1065 },
    ]);
  });

  test('parameters bound in one statement of a cell, a PIVOT in the next', async () => {
    await run(fixture.kernel, js('const since = 2010; return {since};', { declarations: ['since'] }));
    const cell = sqlCell(
      `${CITIES};\nCREATE OR REPLACE TEMP TABLE recent AS SELECT * FROM cities WHERE year >= $1;\nPIVOT recent ON year USING sum(population) ORDER BY name`,
      { inputs: ['since'], parameters: ['since'], name: 'recentWide' },
    );
    const { result } = await run(fixture.kernel, cell);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const [columns, rows] = await tableOf('recentWide');
    assert.deepEqual(columns, ['country', 'name', '2010', '2020']);
    assert.equal(rows.length, 3);
  });

  test('an error in the second statement of a cell carries its cell line', async () => {
    const { result } = await run(
      fixture.kernel,
      sqlCell(`${CITIES};\nPIVOT cities\nON nope USING sum(population)`),
    );
    assert.equal(result.status, 'error');
    assert.match(result.error?.message ?? '', /nope/);
    assert.equal(result.error?.line, 6);
  });
});

describe('SQL cells and the files around them', () => {
  const fixture = kernelPerSuite((workspace) => ({
    files: {
      'notebook.nb.md': '# notebook\n',
      'data/orders.csv': 'region,total\nEU,10\nUS,20\n',
      '.quire/quire.db': 'run-store-secret\n',
      '.git/config': '[core]\n',
    },
    hidden: [join(workspace, '.quire'), join(workspace, '.git')],
    // The statement guard is what stands without an OS sandbox: test it without one (as the host's
    // own user, so a checkout only root can read works too).
    sandbox: 'none',
    user: 'none',
    // DuckDB gets half: 64 MiB.
    memoryMb: 128,
  }));

  test('COPY into the workspace is refused; into scratch it works, and JS finds the file there', async () => {
    const refused = await run(fixture.kernel, sqlCell("select 1;\nCOPY (select 1) TO 'notebook.nb.md'"));
    assert.equal(refused.result.status, 'error');
    assert.match(
      refused.result.error?.message ?? '',
      /SQL cells may write files only under the scratch folder/,
    );
    assert.equal(refused.result.error?.line, 2);
    assert.equal(readFileSync(join(fixture.workspace, 'notebook.nb.md'), 'utf8'), '# notebook\n');
    const copied = await run(
      fixture.kernel,
      sqlCell("COPY (SELECT * FROM read_csv('data/orders.csv')) TO (scratch('orders.csv')) (HEADER)"),
    );
    assert.equal(copied.result.status, 'ok', JSON.stringify(copied.result.error));
    const { outputs } = await run(
      fixture.kernel,
      js(
        'const fs = await __quire_import("node:fs"); return {__quire_last: fs.readFileSync(process.env.HOME + "/orders.csv", "utf8")};',
      ),
    );
    assert.deepEqual(dataOf(outputs, 'text/plain'), ['region,total\nEU,10\nUS,20\n']);
  });

  test('the sql template is guarded the same way', async () => {
    const { result } = await run(
      fixture.kernel,
      js("await sql`COPY (select 1) TO ${'notebook.nb.md'}`; return {};"),
    );
    assert.equal(result.status, 'error');
    assert.match(result.error?.message ?? '', /only under the scratch folder/);
  });

  test('the run store and .git cannot be read', async () => {
    for (const sql of [
      "select content from read_text('.quire/quire.db')",
      "select * from read_csv('.git/config')",
    ]) {
      const { result } = await run(fixture.kernel, sqlCell(sql));
      assert.equal(result.status, 'error', sql);
      assert.match(result.error?.message ?? '', /Permission Error[\s\S]*is hidden from SQL cells/);
      assert.doesNotMatch(result.error?.message ?? '', /secret/);
    }
  });

  test('a query past the DuckDB memory share fails naming it, and the kernel goes on', async () => {
    const { result } = await run(
      fixture.kernel,
      sqlCell("SELECT string_agg(i::VARCHAR, ',') FROM range(20000000) t(i)"),
    );
    assert.equal(result.status, 'error');
    assert.equal(result.failure, 'exception');
    assert.match(result.error?.message ?? '', /^out of memory \(DuckDB limit 64 MiB\)/);
    const after = await run(fixture.kernel, sqlCell('select 42 as answer', { name: 'answer' }));
    assert.equal(after.result.status, 'ok');
  });
});

describe('SQL cells in the OS sandbox (where the host has one)', () => {
  test('hidden folders stay unreadable; the write guard is left to the OS', async () => {
    const setup = (workspace: string) => ({
      files: { 'data/a.csv': 'a\n1\n', '.quire/quire.db': 'secret\n' },
      hidden: [join(workspace, '.quire')],
    });
    await withKernel(setup, async (kernel) => {
      const read = await run(kernel, sqlCell("select content from read_text('.quire/quire.db')"));
      assert.equal(read.result.status, 'error');
      assert.match(read.result.error?.message ?? '', /Permission Error/);
      const { result } = await run(kernel, sqlCell("select count(*) as n from read_csv('data/a.csv')"));
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
    });
  });
});

describe('a workspace that holds quire itself (an example in this repository)', () => {
  // Node 20's permission model will not list a folder when a path inside it (quire's dist/ and
  // node_modules/) is allowed on its own; the allow-list is then taken with DuckDB's glob.
  test('SQL reads the data the examples read, and still not the hidden folders', async () => {
    const root = packageRoot();
    await withKernel({ workspace: root, cwd: join(root, 'examples') }, async (kernel) => {
      const { result, outputs } = await run(
        kernel,
        sqlCell(
          "select count(*) as n from read_csv('../node_modules/vega-datasets/data/seattle-weather.csv')",
        ),
      );
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.deepEqual((outputs[0]?.data as { rows: unknown[][] }).rows, [[1461]]);
      const hidden = await run(kernel, sqlCell("select * from read_text('../.git')"));
      assert.equal(hidden.result.status, 'error');
    });
  });
});
