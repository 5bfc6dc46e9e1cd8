/**
 * The embedded store's SQLite driver (src/store/sqlite.ts): the same rows, changes, BLOBs and
 * transactions through whichever driver this Node uses (better-sqlite3 on 20 and 22, node:sqlite
 * on 24; scripts/compat.sh runs this file on each), and a clear error when a driver is forced
 * that this Node does not have.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqlite } from '../../../src/store/sqlite.js';

test('rows, changes, RETURNING, BLOBs as Buffers, booleans as 0/1, and a rolled-back transaction', async () => {
  const db = openSqlite(':memory:');
  await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB, flag INTEGER)');
  assert.equal(
    await db.run('INSERT INTO t (name, data, flag) VALUES (?, ?, ?)', ['a', Buffer.from('xyz'), true]),
    1,
  );
  const returned = await db.all('INSERT INTO t (name, flag) VALUES (?, ?) RETURNING id, name', ['b', false]);
  assert.deepEqual(returned, [{ id: 2, name: 'b' }]);
  const rows = await db.all<{ id: number; name: string; data: Buffer | null; flag: number }>(
    'SELECT * FROM t ORDER BY id',
  );
  assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype, 'plain objects');
  assert.ok(Buffer.isBuffer(rows[0]!.data));
  assert.equal(rows[0]!.data!.toString(), 'xyz');
  assert.deepEqual(
    rows.map((r) => [r.id, r.name, r.flag]),
    [
      [1, 'a', 1],
      [2, 'b', 0],
    ],
  );
  assert.equal(await db.run('UPDATE t SET flag = 1'), 2);

  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (name) VALUES ('c')");
      throw new Error('changed my mind');
    }),
    /changed my mind/,
  );
  assert.equal((await db.all('SELECT id FROM t')).length, 2, 'the insert was rolled back');
  await db.close();
});

test('QUIRE_SQLITE=node uses node:sqlite where Node has it, and names the Node version where not', async (t) => {
  const saved = process.env.QUIRE_SQLITE;
  t.after(() => {
    if (saved === undefined) delete process.env.QUIRE_SQLITE;
    else process.env.QUIRE_SQLITE = saved;
  });
  process.env.QUIRE_SQLITE = 'node';
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (getBuiltin?.('node:sqlite') === undefined) {
    assert.throws(() => openSqlite(':memory:'), {
      message: `QUIRE_SQLITE=node: this Node (${process.version}) has no node:sqlite`,
    });
    return;
  }
  const db = openSqlite(':memory:');
  assert.deepEqual(await db.all('SELECT 1 AS one'), [{ one: 1 }]);
  await db.close();
});
