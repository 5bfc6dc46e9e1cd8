/**
 * A named connection whose URL is a stored secret (`urlSecret`), against the real PostgreSQL on
 * 127.0.0.1:5432: a role with a password in a fresh database, its URL in the workspace's encrypted
 * store. The registry opens it for a run with the run's secrets; a driver error that quotes a part
 * of the URL reaches the kernel as [REDACTED]; a secret the run is not granted is refused for the
 * connection too; and through `quire run`, a SQL cell on the connection works while a JS cell
 * finds the URL nowhere it can look.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { ConnectionRegistry } from '../../../src/connectors/host/registry.js';
import { keyFilePath, MasterKeys } from '../../../src/secrets/master-key.js';
import { SecretRedactor } from '../../../src/secrets/redactor.js';
import { scopeSecrets } from '../../../src/secrets/source.js';
import { hostSecretSource } from '../../../src/secrets/store-source.js';
import { SecretStore } from '../../../src/secrets/store.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';
import { makeWorkspace, removeWorkspace, runCli } from '../cli/helpers.js';

const PASSWORD = `pw-${process.pid}-7d1c93ab`;
const ROLE = `quire_sec_${process.pid}`;

const NOTEBOOK = `# Warehouse

\`\`\`sql name=rows connection=wh
select current_user as who, 41 + 1 as answer
\`\`\`

\`\`\`js name=probe
import { readFileSync } from 'node:fs';
// The password, spelled backwards so that this source does not hold it.
const wanted = ${JSON.stringify([...PASSWORD].reverse().join(''))}.split('').reverse().join('');
const seen = [JSON.stringify(process.env), JSON.stringify(rows), Object.getOwnPropertyNames(globalThis).join(',')];
for (const file of ['quire.config.json', '.quire/quire.db', '.quire/master.key']) {
  try { seen.push(readFileSync(file, 'latin1')); } catch (error) { seen.push(String(error.code)); }
}
({ found: seen.some((text) => text.includes(wanted)), rows: rows.length })
\`\`\`
`;

describe('connections with urlSecret', () => {
  let database: TestDatabase;
  let url: string;
  let dir: string;
  let runStore: RunStore;

  before(async () => {
    database = await createTestDatabase('quire_consec');
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
      await admin.query(`GRANT CONNECT ON DATABASE ${database.name} TO ${ROLE}`);
    } finally {
      await admin.end();
    }
    url = `postgres://${ROLE}:${PASSWORD}@127.0.0.1:5432/${database.name}`;
    dir = makeWorkspace({
      'quire.config.json': JSON.stringify({
        connections: {
          wh: { type: 'postgres', urlSecret: 'WH_URL' },
          // The server's error quotes a value of this URL: the password, given as a setting.
          bad: { type: 'postgres', urlSecret: 'BAD_URL' },
          granted: { type: 'postgres', urlSecret: 'REPORTS_URL' },
        },
      }),
      'warehouse.nb.md': NOTEBOOK,
    });
    runStore = await openStore({ workspace: dir });
    const store = new SecretStore(runStore.db, new MasterKeys({ file: keyFilePath(dir), env: {} }));
    await store.set('WH_URL', url);
    await store.set('BAD_URL', `${url}?options=-c%20statement_timeout%3D${PASSWORD}`);
    await store.set('REPORTS_URL', url);
    await store.grant('REPORTS_URL', { kind: 'path', subject: 'reports/' });
  });
  after(async () => {
    await runStore.close();
    removeWorkspace(dir);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`DROP OWNED BY ${ROLE}`).catch(() => undefined);
    await admin.end();
    await database.drop();
    const server = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await server.connect();
    await server.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await server.end();
  });

  /** A registry as a run has it: the run's scoped source and its own redactor. */
  const forRun = async (notebookPath: string) => {
    const redactor = new SecretRedactor();
    const { source } = hostSecretSource(runStore.db, dir, {});
    const registry = await ConnectionRegistry.load(
      dir,
      {},
      {
        source: scopeSecrets(source, { notebookPath }),
        redactor,
      },
    );
    return { registry, redactor };
  };

  test('the host reads the URL from the store when the connection opens, and registers it', async () => {
    const { registry, redactor } = await forRun('warehouse.nb.md');
    try {
      const result = await registry.query('wh', 'select current_user as who', []);
      assert.deepEqual(result.rows, [[ROLE]]);
      assert.equal(redactor.redact(`dsn ${url}`), 'dsn [REDACTED]');
      assert.equal(redactor.redact(`password=${PASSWORD}`), 'password=[REDACTED]');
    } finally {
      await registry.close();
    }
  });

  test("a driver error quoting the URL's password reaches the kernel redacted", async () => {
    const { registry } = await forRun('warehouse.nb.md');
    try {
      await assert.rejects(registry.query('bad', 'select 1', []), (error: Error) => {
        assert.match(error.message, /invalid value for parameter "statement_timeout": "\[REDACTED\]"/);
        assert.ok(!error.message.includes(PASSWORD));
        return true;
      });
    } finally {
      await registry.close();
    }
  });

  test("a connection's secret follows its grants: refused to a notebook it is not granted to", async () => {
    const outside = await forRun('warehouse.nb.md');
    const inside = await forRun('reports/q1.nb.md');
    try {
      await assert.rejects(
        outside.registry.query('granted', 'select 1', []),
        /secret "REPORTS_URL" is not granted to notebook warehouse\.nb\.md/,
      );
      assert.deepEqual((await inside.registry.query('granted', 'select 1 as one', [])).rows, [[1]]);
    } finally {
      await outside.registry.close();
      await inside.registry.close();
    }
  });

  test('quire run: the SQL cell on the connection works; the JS cell cannot find the URL', async () => {
    const run = await runCli(['run', 'warehouse.nb.md', '--json', '--out', 'out'], { cwd: dir });
    const cells = run.record?.cells ?? [];
    assert.equal(run.code, 0, `${run.stderr}${JSON.stringify(cells.map((c) => c.error))}`);
    const rows = cells.find((c) => c.name === 'rows')!;
    assert.equal(rows.status, 'ok');
    assert.match(JSON.stringify(rows.outputs), new RegExp(ROLE));
    const probe = cells.find((c) => c.name === 'probe')!;
    assert.match(JSON.stringify(probe.outputs), /found.{0,8}false/);
    assert.deepEqual(run.record!.secrets, ['WH_URL'], 'the record names the secret read, never its value');
    for (const text of [run.stdout, run.stderr, readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')])
      assert.ok(!text.includes(PASSWORD));
  });
});
