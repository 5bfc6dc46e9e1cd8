/**
 * Secret grants in the store on both dialects (the embedded SQLite file and a fresh PostgreSQL
 * database on 127.0.0.1:5432): grants kept and listed, refused for a secret that is not stored,
 * removed with their secret, a revocation that would open a secret wider refused unless asked;
 * and the store as a run's source: a read its grants do not cover throws an error naming the
 * secret and why, decided before the value is opened, while the environment's secrets and secrets
 * without grants are read as before.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HOST_USER, type RunUser } from '../../../src/secrets/grants.js';
import { keyFilePath, MasterKeys } from '../../../src/secrets/master-key.js';
import { SecretRefusedError, scopeSecrets } from '../../../src/secrets/source.js';
import { hostSecretSource, StoreSecretSource } from '../../../src/secrets/store-source.js';
import { SecretStore } from '../../../src/secrets/store.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const VALUE = 'pg-pass-5b1e0c7d9a';
const alice: RunUser = { kind: 'account', id: 'u-alice', name: 'alice' };
const bob: RunUser = { kind: 'account', id: 'u-bob', name: 'bob' };

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`secret grants on ${dialect}`, () => {
    let runStore: RunStore;
    let workspace: string;
    let database: TestDatabase | undefined;
    let store: SecretStore;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-grants-'));
      if (dialect === 'postgres') database = await createTestDatabase();
      runStore = await openStore({ workspace, ...(database ? { url: database.url } : {}) });
      store = new SecretStore(runStore.db, new MasterKeys({ file: keyFilePath(workspace), env: {} }));
      await store.set('WAREHOUSE', VALUE);
      await store.set('OPEN', 'open-value-1234');
    });
    after(async () => {
      await runStore.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });

    /** A run's view of the store, as assembleRun makes it. */
    const runSource = (notebookPath: string | undefined, user?: RunUser) => {
      const { source } = hostSecretSource(runStore.db, workspace, {});
      return scopeSecrets(source, { notebookPath, user });
    };
    const read = async (name: string, notebookPath: string | undefined, user?: RunUser) => {
      const source = runSource(notebookPath, user);
      await source.prepare?.([name]);
      return source.get(name);
    };

    test('grants are kept, listed in order, and a grant twice is one grant', async () => {
      assert.equal(await store.grant('WAREHOUSE', { kind: 'user', subject: 'u-alice' }), true);
      assert.equal(
        await store.grant('WAREHOUSE', { kind: 'path', subject: 'reports/' }, { by: 'ann' }),
        true,
      );
      assert.equal(await store.grant('WAREHOUSE', { kind: 'path', subject: 'reports/' }), false);
      const listed = await store.list();
      assert.deepEqual(
        listed.map((s) => [s.name, s.grants]),
        [
          ['OPEN', []],
          [
            'WAREHOUSE',
            [
              { kind: 'path', subject: 'reports/' },
              { kind: 'user', subject: 'u-alice' },
            ],
          ],
        ],
      );
    });

    test('a grant for a secret that is not stored is refused', async () => {
      await assert.rejects(
        store.grant('TYPO', { kind: 'path', subject: 'a/' }),
        /no secret "TYPO" in the store/,
      );
    });

    test('a run reads a granted secret only on a granted path AND as a granted user', async () => {
      assert.equal(await read('WAREHOUSE', 'reports/q1.nb.md', alice), VALUE);
      await assert.rejects(
        read('WAREHOUSE', 'scratch/x.nb.md', alice),
        (error: Error) =>
          error instanceof SecretRefusedError &&
          error.name === 'SecretError' &&
          /secret "WAREHOUSE" is not granted to notebook scratch\/x\.nb\.md/.test(error.message) &&
          !error.message.includes(VALUE),
      );
      await assert.rejects(read('WAREHOUSE', 'reports/q1.nb.md', bob), /not granted to user bob/);
      // a server's or worker's run that names no owner is nobody: refused, and it says why
      await assert.rejects(
        read('WAREHOUSE', 'reports/q1.nb.md'),
        /granted to certain users only, and this run has no owner/,
      );
      // a secret without grants is every run's, as before grants existed
      assert.equal(await read('OPEN', 'scratch/x.nb.md'), 'open-value-1234');
    });

    test('a command on the host is the host owner: no user grant restricts it, path grants do', async () => {
      const source = new StoreSecretSource({
        keys: new MasterKeys({ file: keyFilePath(workspace), env: {} }),
        label: 'test',
        withDb: (run) => run(runStore.db),
        user: HOST_USER,
      });
      const inReports = source.forRun({ notebookPath: 'reports/q1.nb.md' });
      await inReports.prepare?.(['WAREHOUSE']);
      assert.equal(inReports.get('WAREHOUSE'), VALUE);
      const elsewhere = source.forRun({ notebookPath: 'x.nb.md' });
      assert.throws(() => elsewhere.get('WAREHOUSE'), /not granted to notebook x\.nb\.md/);
    });

    test('a read outside any run gets no granted secret; describe says why, and never throws', async () => {
      const { source } = hostSecretSource(runStore.db, workspace, {});
      await source.prepare?.(['WAREHOUSE']);
      assert.equal(source.get('WAREHOUSE'), undefined);
      assert.match(
        source.describe('WAREHOUSE'),
        /cannot give it: secret "WAREHOUSE" is granted to notebooks under reports\//,
      );
    });

    test("the environment is the host owner's: QUIRE_SECRET_<NAME> is not grant-controlled", async () => {
      const { source } = hostSecretSource(runStore.db, workspace, { QUIRE_SECRET_WAREHOUSE: 'from-env' });
      const scoped = scopeSecrets(source, { notebookPath: 'scratch/x.nb.md', user: bob });
      await scoped.prepare?.(['WAREHOUSE']);
      assert.equal(scoped.get('WAREHOUSE'), 'from-env');
    });

    test('the grants are checked before the value is opened: a refused read does not decrypt', async () => {
      // Tamper with the sealed value: opening it now fails. A refused run must see the refusal, not
      // the store's failure, so the value was never opened for it.
      await store.set('TAMPERED', 'tampered-value-0000');
      await store.grant('TAMPERED', { kind: 'path', subject: 'reports/' });
      await runStore.db.run("UPDATE secrets SET nonce = 'AAAAAAAAAAAAAAAA' WHERE name = 'TAMPERED'");
      await assert.rejects(read('TAMPERED', 'scratch/x.nb.md', HOST_USER), SecretRefusedError);
      assert.equal(
        await read('TAMPERED', 'reports/x.nb.md', HOST_USER),
        undefined,
        'granted: the store fails',
      );
      await store.remove('TAMPERED');
    });

    test('a grant given after a run started applies to its next cell (prepare reloads)', async () => {
      await store.set('LATER', 'later-value-42');
      const source = runSource('scratch/x.nb.md', HOST_USER);
      await source.prepare?.(['LATER']);
      assert.equal(source.get('LATER'), 'later-value-42');
      await store.grant('LATER', { kind: 'path', subject: 'reports/' });
      await source.prepare?.(['LATER']);
      assert.throws(() => source.get('LATER'), /not granted to notebook scratch\/x\.nb\.md/);
    });

    test('revoking the last grant of a kind is refused unless --widen; a removed secret loses its grants', async () => {
      await assert.rejects(
        store.revoke('WAREHOUSE', { kind: 'user', subject: 'u-alice' }),
        /not revoked: it is the secret's last user grant: every user would then pass that check/,
      );
      assert.equal(await store.revoke('WAREHOUSE', { kind: 'user', subject: 'u-nobody' }), false);
      await store.grant('WAREHOUSE', { kind: 'path', subject: 'ops/daily.nb.md' });
      assert.equal(await store.revoke('WAREHOUSE', { kind: 'path', subject: 'ops/daily.nb.md' }), true);
      assert.equal(
        await store.revoke('WAREHOUSE', { kind: 'user', subject: 'u-alice' }, { widen: true }),
        true,
      );
      await assert.rejects(
        store.revoke('WAREHOUSE', { kind: 'path', subject: 'reports/' }),
        /last grant: without grants every run of the workspace may read it/,
      );
      assert.equal(await read('WAREHOUSE', 'reports/q1.nb.md', bob), VALUE, 'path grant only: any user');
      assert.equal(await store.remove('WAREHOUSE'), true);
      await store.set('WAREHOUSE', 'a-new-secret-under-the-old-name');
      assert.deepEqual((await store.list()).find((s) => s.name === 'WAREHOUSE')?.grants, []);
    });
  });
}

suite('sqlite');
suite('postgres');
