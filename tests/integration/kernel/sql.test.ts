/** SQL cells in the kernel: embedded DuckDB with bound parameters and JS tables, and host connections. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConnectionProvider, ProcessKernel } from '../../../src/kernel/host.js';
import type { ExecuteSql } from '../../../src/kernel/protocol.js';
import { js, makeWorkspace, removeWorkspace, run, startKernel } from './helpers.js';

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
  let workspace: string;
  let kernel: ProcessKernel;
  before(async () => {
    workspace = makeWorkspace({ 'cities.csv': 'name,pop\nLyon,500\nNice,340\n' });
    kernel = await startKernel({ workspace, connections });
  });
  after(async () => {
    await kernel.shutdown();
    removeWorkspace(workspace);
  });

  test('parameters are bound, the result is named and usable from JS', async () => {
    await run(kernel, js('const minPop = 400; return {minPop};', { declarations: ['minPop'] }));
    const cell = sqlCell("select name from read_csv('cities.csv') where pop > $1", {
      inputs: ['minPop'],
      parameters: ['minPop'],
      name: 'big',
    });
    const { result, outputs } = await run(kernel, cell);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.declared, ['big']);
    assert.match(result.versions?.duckdb ?? '', /^v\d/);
    assert.equal(outputs[0]?.mime, 'application/vnd.quire.table+json');
    const { outputs: shown } = await run(
      kernel,
      js('return {__quire_last: big.rows.map((r) => r.name)};', { inputs: ['big'] }),
    );
    assert.deepEqual(shown, [{ mime: 'application/json', data: ['Lyon'] }]);
  });

  test('a JS array named in FROM is queried as a table', async () => {
    await run(
      kernel,
      js('const people = [{n: "a", age: 3}, {n: "b", age: 9}]; return {people};', {
        declarations: ['people'],
      }),
    );
    const { result } = await run(
      kernel,
      sqlCell('select sum(age) as total from people', { tables: ['people'], name: 'total' }),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const { outputs } = await run(
      kernel,
      js('return {__quire_last: Number(total.rows[0].total)};', { inputs: ['total'] }),
    );
    assert.deepEqual(outputs, [{ mime: 'text/plain', data: '12' }]);
  });

  test("a SQL error carries DuckDB's message and line", async () => {
    const { result } = await run(kernel, sqlCell('select 1,\n  nosuchcolumn\nfrom range(3)'));
    assert.equal(result.status, 'error');
    assert.equal(result.failure, 'exception');
    assert.match(result.error?.message ?? '', /nosuchcolumn/);
    assert.equal(result.error?.line, 2);
  });

  test('a query on a named connection runs in the host', async () => {
    const { result, outputs } = await run(
      kernel,
      sqlCell('select $1', { parameters: ['40 + 2'], connection: 'warehouse', name: 'w' }),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.declared, ['w']);
    const table = outputs[0]?.data as { rows: unknown[][] };
    assert.deepEqual(table.rows, [['select $1 with [42]']]);
  });

  test('a missing connection is an error naming it', async () => {
    const { result } = await run(kernel, sqlCell('select 1', { connection: 'nowhere' }));
    assert.equal(result.status, 'error');
    assert.match(result.error?.message ?? '', /nowhere/);
  });
});
