/**
 * The PostgreSQL store when the server ends a connection (a restart, a failover, an administrator's
 * `pg_terminate_backend`) while a transaction holds it: that transaction fails, nothing is
 * half-written, the process lives on and the pool serves the next query. Before, the checked-out
 * client had no 'error' listener, and the server's notice of termination arriving between two
 * queries was an unhandled 'error' event that ended the process (a worker died mid-run).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { migrate } from '../../../src/store/migrations.js';
import { openPostgres } from '../../../src/store/postgres.js';
import { adminUrl, createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

async function terminate(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

test('a connection ended mid-transaction fails that transaction; the process and the pool go on', async () => {
  const db = openPostgres(database.url);
  try {
    await migrate(db); // the store's schema, where its tables go
    await db.run('CREATE TABLE t (x INTEGER)');
    const attempt = db.transaction(async (tx) => {
      const [row] = await tx.all<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await tx.run('INSERT INTO t VALUES (1)');
      await terminate(row!.pid);
      // The server's notice arrives while no query of this client is running.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.run('INSERT INTO t VALUES (2)');
    });
    await assert.rejects(attempt);
    assert.deepEqual(await db.all('SELECT count(*)::int AS n FROM t'), [{ n: 0 }], 'nothing half-written');
  } finally {
    await db.close();
  }
});
