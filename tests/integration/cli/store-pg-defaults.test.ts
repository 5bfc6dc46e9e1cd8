/**
 * `--db postgres://…` fills what the URL leaves out as psql does (libpq's defaults), against the
 * real server on 127.0.0.1:5432: the user is the URL's, else PGUSER, else the OS user (not
 * `$USER`, unset under systemd and cron); PGDATABASE; the URL's `options` or PGOPTIONS are sent
 * along with the store's own search_path, neither replacing the other. Who connected shows as the
 * owner of the `quire` schema, which the first connection creates.
 */
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { adminUrl, createTestDatabase, type TestDatabase } from '../../support/pg-database.js';
import { makeWorkspace, removeWorkspace, runCli } from './helpers.js';

const osUser = userInfo().username;
const databases: TestDatabase[] = [];
let cwd: string;

async function admin<T>(fn: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const url = new URL(adminUrl());
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database the OS user may create the schema in. */
async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('quire_pgenv');
  databases.push(db);
  await admin((c) => c.query(`GRANT ALL ON DATABASE ${db.name} TO "${osUser}"`));
  return db;
}

const schemaOwner = (db: TestDatabase) =>
  admin(async (c) => {
    const { rows } = await c.query<{ owner: string }>(
      "SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = 'quire'",
    );
    return rows[0]?.owner.replace(/"/g, '');
  }, db.name);

const tablesIn = (db: TestDatabase, schema: string) =>
  admin(async (c) => {
    const { rows } = await c.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1', [
      schema,
    ]);
    return rows.length;
  }, db.name);

/** `quire runs --db URL` with these variables (empty = unset); the rest of libpq's are cleared. */
function runs(url: string, env: Record<string, string> = {}) {
  const cleared = { PGUSER: '', PGDATABASE: '', PGOPTIONS: '', PGHOST: '', PGPORT: '', QUIRE_DB: '' };
  return runCli(['runs', '--db', url], { cwd, env: { ...cleared, ...env } });
}

const server = () => new URL(adminUrl()).host;

describe('--db postgres:// without a user name: libpq defaults', () => {
  let createdRole = false;
  before(async () => {
    cwd = makeWorkspace();
    // roles `postgres` and the OS user exist on the test machine; create the latter if not
    createdRole = await admin(async (c) => {
      const { rows } = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [osUser]);
      if (rows.length === 0) await c.query(`CREATE ROLE "${osUser}" LOGIN`);
      return rows.length === 0;
    });
  });
  after(async () => {
    for (const db of databases) await db.drop();
    if (createdRole) await admin((c) => c.query(`DROP ROLE IF EXISTS "${osUser}"`));
    removeWorkspace(cwd);
  });

  test('no user in the URL, no PGUSER, no $USER: the OS user, as psql', async () => {
    const db = await database();
    const r = await runs(`postgres://${server()}/${db.name}`, { USER: '', LOGNAME: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await schemaOwner(db), osUser);
  });

  test('a $USER that is not the user the process runs as is not used', async () => {
    const db = await database();
    const r = await runs(`postgres://${server()}/${db.name}`, { USER: 'quire_no_such_role' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await schemaOwner(db), osUser);
  });

  test('PGUSER comes before the OS user, and the URL before PGUSER', async () => {
    const viaEnv = await database();
    assert.equal((await runs(`postgres://${server()}/${viaEnv.name}`, { PGUSER: 'postgres' })).code, 0);
    assert.equal(await schemaOwner(viaEnv), 'postgres');
    const viaUrl = await database();
    const r = await runs(`postgres://${osUser}@${server()}/${viaUrl.name}`, { PGUSER: 'postgres' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await schemaOwner(viaUrl), osUser);
  });

  test('PGDATABASE names the database when the URL does not', async () => {
    const db = await database();
    const r = await runs(`postgres://${server()}`, { PGDATABASE: db.name });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await tablesIn(db, 'quire')) > 0, true);
  });

  test("the URL's options keep the store in its schema; PGOPTIONS is sent too", async () => {
    const db = await database();
    const withOptions = `postgres://${osUser}@${server()}/${db.name}?options=-c%20statement_timeout%3D300000`;
    const r = await runs(withOptions);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await tablesIn(db, 'quire')) > 0, 'the tables are in the quire schema');
    assert.equal(await tablesIn(db, 'public'), 0, 'none in public');

    const readOnly = await database();
    const refused = await runs(`postgres://${osUser}@${server()}/${readOnly.name}`, {
      PGOPTIONS: '-c default_transaction_read_only=on',
    });
    assert.equal(refused.code, 2, 'PGOPTIONS reached the server: it refused to create the schema');
    assert.match(refused.stderr, /read-only transaction/);
  });
});
