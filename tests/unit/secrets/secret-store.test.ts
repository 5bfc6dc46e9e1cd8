/**
 * The encrypted secret store on both dialects (the embedded SQLite file and a fresh PostgreSQL
 * database on 127.0.0.1:5432): values stored sealed, listed without values, refused under a second
 * key; rotation re-encrypts all or nothing, and a rotation cut between its commit and its key
 * file leaves every value readable; the store as a run's source, after the environment.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newMasterKey } from '../../../src/secrets/crypto.js';
import { keyFilePath, MasterKeys, pendingKeyPath, writeKeyFile } from '../../../src/secrets/master-key.js';
import { finishInterruptedRotation, rotateMasterKey } from '../../../src/secrets/rotate.js';
import { MissingSecretError } from '../../../src/secrets/source.js';
import { hostSecretSource, StoreSecretSource } from '../../../src/secrets/store-source.js';
import { SecretStore } from '../../../src/secrets/store.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const VALUES: Record<string, string> = {
  API_KEY: 'sk-live-0123456789abcdef',
  'db.password': 'pä$$wörd "quoted"\nline two',
  TOKEN: 't0k3n-zyxwvu-98765',
};

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`secret store on ${dialect}`, () => {
    let runStore: RunStore;
    let workspace: string;
    let database: TestDatabase | undefined;
    let keys: MasterKeys;
    let store: SecretStore;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-secrets-'));
      if (dialect === 'postgres') database = await createTestDatabase();
      runStore = await openStore({ workspace, ...(database ? { url: database.url } : {}) });
      keys = new MasterKeys({ file: keyFilePath(workspace), env: {} });
      store = new SecretStore(runStore.db, keys);
    });
    after(async () => {
      await runStore.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });

    const storeWith = (env: NodeJS.ProcessEnv) =>
      new SecretStore(runStore.db, new MasterKeys({ file: keyFilePath(workspace), env }));

    test('set creates the key file (0600) on first use; values read back; list holds no value', async () => {
      assert.ok(!existsSync(keys.file));
      for (const [name, value] of Object.entries(VALUES)) {
        const { created } = await store.set(name, value, { updatedBy: 'ann', now: 1000 });
        assert.ok(created);
      }
      assert.equal(statSync(keys.file).mode & 0o777, 0o600);
      const key = keys.current()!;
      for (const [name, value] of Object.entries(VALUES)) assert.equal(await store.get(name), value);
      assert.equal(await store.get('ABSENT'), undefined);
      const replaced = await store.set('TOKEN', VALUES.TOKEN!, { updatedBy: 'bob', now: 2000 });
      assert.deepEqual(replaced, { created: false, keyId: key.id });
      const list = await store.list();
      assert.deepEqual(
        list.map((s) => [s.name, s.keyId, s.createdAt, s.updatedAt, s.updatedBy]),
        [
          ['API_KEY', key.id, 1000, 1000, 'ann'],
          ['TOKEN', key.id, 1000, 2000, 'bob'],
          ['db.password', key.id, 1000, 1000, 'ann'],
        ],
      );
      const listed = JSON.stringify(list);
      for (const value of Object.values(VALUES)) assert.ok(!listed.includes(value));
    });

    test('the raw value is nowhere in the database, and rows are bound to their names', async () => {
      const rows = await runStore.db.all<{ name: string; ciphertext: string; nonce: string }>(
        'SELECT name, ciphertext, nonce FROM secrets',
      );
      const dump = JSON.stringify(rows);
      for (const value of Object.values(VALUES)) {
        assert.ok(!dump.includes(value));
        assert.ok(!dump.includes(Buffer.from(value).toString('base64')));
      }
      if (dialect === 'sqlite') {
        const files = readdirSync(join(workspace, '.quire')).filter((f) => f.startsWith('quire.db'));
        for (const file of files) {
          const bytes = readFileSync(join(workspace, '.quire', file));
          for (const value of Object.values(VALUES)) assert.equal(bytes.indexOf(value), -1, file);
        }
      }
      // Swap two rows' ciphertexts and nonces: each name now fails, naming itself.
      const a = rows.find((r) => r.name === 'API_KEY')!;
      const b = rows.find((r) => r.name === 'TOKEN')!;
      const write = (name: string, from: typeof a) =>
        runStore.db.run('UPDATE secrets SET ciphertext = ?, nonce = ? WHERE name = ?', [
          from.ciphertext,
          from.nonce,
          name,
        ]);
      await write('API_KEY', b);
      await write('TOKEN', a);
      await assert.rejects(store.get('API_KEY'), /the secret "API_KEY" cannot be decrypted/);
      await assert.rejects(store.get('TOKEN'), /the secret "TOKEN" cannot be decrypted/);
      await write('API_KEY', a);
      await write('TOKEN', b);
      assert.equal(await store.get('API_KEY'), VALUES.API_KEY);
    });

    test('bad names and empty values are refused; rm says whether the name was there', async () => {
      await assert.rejects(store.set('has space', 'x'), /a secret name is 1 to 128 letters/);
      await assert.rejects(store.set('EMPTY', ''), /the value of "EMPTY" is empty/);
      await store.set('GONE', 'soon-removed-value');
      assert.equal(await store.remove('GONE'), true);
      assert.equal(await store.remove('GONE'), false);
      assert.equal(await store.get('GONE'), undefined);
    });

    test('a wrong key is named on read, and a write under it is refused (no mixed keys)', async () => {
      const other = newMasterKey();
      const wrong = storeWith({ QUIRE_MASTER_KEY: other.key.toString('base64') });
      const id = keys.current()!.id;
      await assert.rejects(
        wrong.get('API_KEY'),
        new RegExp(
          `the secret "API_KEY" was encrypted with key ${id}; the master key in use is ${other.id} \\(QUIRE_MASTER_KEY\\)`,
        ),
      );
      await assert.rejects(
        wrong.set('NEW', 'value-under-another-key'),
        new RegExp(`the stored secrets are encrypted with key ${id}; the master key in use is ${other.id}`),
      );
      assert.equal(await store.get('NEW'), undefined);
    });

    test('rotate-key: every value readable after, the old key opens nothing', async () => {
      const before = keys.current()!;
      const rotation = await rotateMasterKey(store);
      assert.equal(rotation.from, before.id);
      assert.equal(rotation.count, Object.keys(VALUES).length);
      const after = keys.current()!;
      assert.equal(after.id, rotation.to);
      assert.notEqual(after.id, before.id);
      assert.equal(statSync(keys.file).mode & 0o777, 0o600);
      assert.ok(!existsSync(pendingKeyPath(keys.file)));
      for (const [name, value] of Object.entries(VALUES)) assert.equal(await store.get(name), value);
      assert.deepEqual(await store.keyIds(), [after.id]);
      const old = storeWith({ QUIRE_MASTER_KEY: before.key.toString('base64') });
      await assert.rejects(
        old.get('API_KEY'),
        new RegExp(`encrypted with key ${after.id}; the master key in use is ${before.id}`),
      );
    });

    test('a rotation that fails midway leaves every value under the old key, and the key file as it was', async () => {
      const before = keys.current()!;
      // A tampered value sorts last: every other row is re-encrypted inside the transaction first.
      const tampered = 'zz_TAMPERED';
      await store.set(tampered, 'will-be-broken-value');
      await runStore.db.run('UPDATE secrets SET nonce = ? WHERE name = ?', [
        Buffer.alloc(12, 1).toString('base64'),
        tampered,
      ]);
      await assert.rejects(rotateMasterKey(store), /the secret "zz_TAMPERED" cannot be decrypted/);
      assert.equal(keys.current()!.id, before.id);
      assert.ok(!existsSync(pendingKeyPath(keys.file)));
      assert.deepEqual(await store.keyIds(), [before.id]);
      for (const [name, value] of Object.entries(VALUES)) assert.equal(await store.get(name), value);
      await store.remove(tampered);
    });

    test('a rotation cut after its commit: values are read with the pending key, and the next write finishes it', async () => {
      const before = keys.current()!;
      const next = newMasterKey();
      // Steps 1 and 2 of rotate.ts, then the process "dies" before replacing the key file.
      writeKeyFile(pendingKeyPath(keys.file), next);
      await store.reencryptAll(next);
      assert.equal(keys.current()!.id, before.id);
      for (const [name, value] of Object.entries(VALUES)) assert.equal(await store.get(name), value);
      const source = new StoreSecretSource({ keys, label: 'test', withDb: (read) => read(runStore.db) });
      await source.load();
      assert.equal(source.get('API_KEY'), VALUES.API_KEY);
      // A write under the old key would mix keys: refused, with the way out.
      await assert.rejects(
        store.set('MIXED', 'x-value-x'),
        /a key rotation was interrupted: run `quire secrets rotate-key`/,
      );
      assert.equal(await finishInterruptedRotation(store), next.id);
      assert.equal(keys.current()!.id, next.id);
      assert.ok(!existsSync(pendingKeyPath(keys.file)));
      for (const [name, value] of Object.entries(VALUES)) assert.equal(await store.get(name), value);
    });

    test('with QUIRE_MASTER_KEY set, rotate-key needs the new key, and writes no key file', async () => {
      const fileKey = keys.current()!;
      const env = { QUIRE_MASTER_KEY: fileKey.key.toString('base64') };
      const envStore = storeWith(env);
      await assert.rejects(rotateMasterKey(envStore), /QUIRE_MASTER_KEY is set.*--new-key-file/);
      const next = newMasterKey();
      const rotation = await rotateMasterKey(envStore, next);
      assert.deepEqual([rotation.mode, rotation.to], ['env', next.id]);
      assert.equal(keys.current()!.id, fileKey.id, 'the key file is not touched');
      await assert.rejects(envStore.get('API_KEY'), new RegExp(`encrypted with key ${next.id}`));
      assert.equal(
        await storeWith({ QUIRE_MASTER_KEY: next.key.toString('base64') }).get('API_KEY'),
        VALUES.API_KEY,
      );
      // back to the file's key for the tests below
      await rotateMasterKey(storeWith({ QUIRE_MASTER_KEY: next.key.toString('base64') }), fileKey);
      assert.equal(await store.get('TOKEN'), VALUES.TOKEN);
    });

    test("a run's source: the environment first, then the store, fetched by prepare and opened by get", async () => {
      const { source, store: part } = hostSecretSource(runStore.db, workspace, {
        QUIRE_SECRET_TOKEN: 'from-the-environment',
      });
      assert.equal(source.get('API_KEY'), undefined, 'nothing is loaded before prepare');
      await source.prepare!(['API_KEY', 'TOKEN', 'db.password', 'ABSENT']);
      assert.equal(source.get('API_KEY'), VALUES.API_KEY);
      assert.equal(source.get('db.password'), VALUES['db.password']);
      assert.equal(source.get('TOKEN'), 'from-the-environment');
      assert.equal(part.get('TOKEN'), undefined, 'a name the environment has is not fetched from the store');
      assert.equal(source.get('ABSENT'), undefined);
      assert.equal(
        new MissingSecretError('ABSENT', source.describe('ABSENT')).message,
        `secret "ABSENT" is not set (environment variable QUIRE_SECRET_ABSENT or the secret store ${runStore.db.label})`,
      );
      // A removal is seen by the next prepare (a queued run) or load (the server's reload).
      await store.set('LATER', 'later-value-123');
      await part.load();
      assert.equal(source.get('LATER'), 'later-value-123');
      await store.remove('LATER');
      await source.prepare!(['LATER']);
      assert.equal(source.get('LATER'), undefined);
    });

    test('a value the store cannot give is not set, and describe says why (a wrong key, a store not read)', async () => {
      const wrongKey = newMasterKey();
      const { source } = hostSecretSource(runStore.db, workspace, {
        QUIRE_MASTER_KEY: wrongKey.key.toString('base64'),
      });
      await source.prepare!(['API_KEY']);
      assert.equal(source.get('API_KEY'), undefined);
      const message = new MissingSecretError('API_KEY', source.describe('API_KEY')).message;
      assert.equal(
        message,
        `secret "API_KEY" is not set (environment variable QUIRE_SECRET_API_KEY or the secret store ${runStore.db.label}, ` +
          `which cannot give it: the secret "API_KEY" was encrypted with key ${keys.current()!.id}; ` +
          `the master key in use is ${wrongKey.id} (QUIRE_MASTER_KEY))`,
      );
      assert.ok(!message.includes(VALUES.API_KEY!));
      const broken = new StoreSecretSource({
        keys,
        label: 'the broken store',
        withDb: () => Promise.reject(new Error('connection refused')),
      });
      await broken.prepare(['API_KEY']);
      assert.equal(broken.get('API_KEY'), undefined);
      assert.equal(
        broken.describe('API_KEY'),
        'the secret store the broken store, which cannot give it: it could not be read: connection refused',
      );
    });
  });
}

suite('sqlite');
suite('postgres');
