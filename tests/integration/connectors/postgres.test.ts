// The host-side PostgreSQL connection against the real server on 127.0.0.1:5432, and the
// registry's config handling (unknown connection, missing env var, invalid field).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PostgresConnection } from '../../../src/connectors/host/postgres.js';
import { ConnectionRegistry } from '../../../src/connectors/host/registry.js';

const URL = process.env.QUIRE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const table = `quire_conn_test_${process.pid}_${Date.now()}`;
let conn: PostgresConnection;

before(async () => {
  conn = new PostgresConnection(URL);
  await conn.query(
    `create table ${table} (id bigint, big bigint, name text, price numeric(10,2), day date, at timestamp, atz timestamptz, ok boolean, doc jsonb, tags text[])`,
    [],
  );
  await conn.query(
    `insert into ${table} values
      (1, 9007199254740993, 'ana', 12.34, '2024-02-29', '2024-02-29 10:11:12.345', '2024-02-29 10:00:00+02', true, '{"a":1}', '{x,y}'),
      (2, null, 'bo', null, null, null, null, null, null, null)`,
    [],
  );
});

after(async () => {
  await conn.query(`drop table if exists ${table}`, []);
  await conn.close();
});

describe('PostgresConnection', () => {
  test('maps types like DuckDB results', async () => {
    const r = await conn.query(`select * from ${table} where id = $1`, [1]);
    assert.deepEqual(
      r.columns.map((c) => `${c.name}:${c.type}`),
      [
        'id:bigint',
        'big:bigint',
        'name:text',
        'price:numeric',
        'day:date',
        'at:timestamp',
        'atz:timestamptz',
        'ok:boolean',
        'doc:jsonb',
        'tags:text[]',
      ],
    );
    assert.deepEqual(r.rows[0], [
      1,
      9007199254740993n,
      'ana',
      12.34,
      new Date('2024-02-29T00:00:00Z'),
      new Date('2024-02-29T10:11:12.345Z'),
      new Date('2024-02-29T08:00:00Z'),
      true,
      { a: 1 },
      ['x', 'y'],
    ]);
  });

  test('nulls stay null', async () => {
    const r = await conn.query(`select big, price, day from ${table} where id = $1`, [2]);
    assert.deepEqual(r.rows, [[null, null, null]]);
  });

  test('parameters: strings, numbers, booleans, Dates; injection stays a literal', async () => {
    const r = await conn.query(
      `select count(*) as n from ${table} where name = $1 or (id = $2 and $3 and day = $4)`,
      ["x' OR 1=1 --", 1, true, new Date('2024-02-29T00:00:00Z')],
    );
    assert.deepEqual(r.rows, [[1]]);
  });

  test('a statement without rows gives no rows', async () => {
    const r = await conn.query(`update ${table} set name = name where id = -1`, []);
    assert.deepEqual(r, { columns: [], rows: [] });
  });

  test('several statements with parameters are refused by PostgreSQL', async () => {
    await assert.rejects(conn.query('select $1::int; select 2', [1]), /cannot insert multiple commands/);
  });

  test('errors are PostgreSQL’s', async () => {
    await assert.rejects(conn.query('select * from no_such_table_here', []), /no_such_table_here/);
  });
});

describe('ConnectionRegistry', () => {
  let workspace: string;
  const write = (config: unknown) =>
    fs.writeFileSync(path.join(workspace, 'quire.config.json'), JSON.stringify(config));

  before(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-registry-'));
  });
  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  test('queries a connection whose URL comes from the environment', async () => {
    write({ connections: { warehouse: { type: 'postgres', urlEnv: 'QUIRE_TEST_WAREHOUSE' } } });
    const registry = await ConnectionRegistry.load(workspace, { QUIRE_TEST_WAREHOUSE: URL });
    try {
      const r = await registry.query('warehouse', 'select $1::int + 1 as n', [41]);
      assert.deepEqual(r, { columns: [{ name: 'n', type: 'integer' }], rows: [[42]] });
    } finally {
      await registry.close();
    }
  });

  test('an unknown connection names it and the known ones', async () => {
    write({
      connections: { warehouse: { type: 'postgres', url: URL }, lake: { type: 'postgres', url: URL } },
    });
    const registry = await ConnectionRegistry.load(workspace, {});
    await assert.rejects(
      registry.query('nope', 'select 1', []),
      /unknown connection "nope" \(known: warehouse, lake\)/,
    );
    await registry.close();
  });

  test('a missing env var fails on first use, naming the connection and the variable', async () => {
    write({ connections: { warehouse: { type: 'postgres', urlEnv: 'QUIRE_TEST_UNSET_VAR' } } });
    const registry = await ConnectionRegistry.load(workspace, {});
    await assert.rejects(
      registry.query('warehouse', 'select 1', []),
      /connection "warehouse": environment variable QUIRE_TEST_UNSET_VAR is not set/,
    );
    await registry.close();
  });

  test('an invalid field is named with the file and its path', async () => {
    write({ connections: { warehouse: { type: 'mysql', url: URL } } });
    await assert.rejects(ConnectionRegistry.load(workspace), (error: Error) => {
      assert.match(error.message, /quire\.config\.json: connections\.warehouse\.type/);
      return true;
    });
  });

  test('no config file means no connections', async () => {
    fs.rmSync(path.join(workspace, 'quire.config.json'));
    const registry = await ConnectionRegistry.load(workspace);
    assert.deepEqual(registry.names, []);
    await assert.rejects(
      registry.query('x', 'select 1', []),
      /unknown connection "x" \(known: none configured\)/,
    );
  });
});
