/**
 * The master key: QUIRE_MASTER_KEY wins over the key file; a key file open to group or others is
 * refused with the chmod to run; the file is created 0600 whatever the umask, and of two creators
 * one wins; a rotation's pending key is found by its id.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newMasterKey } from '../../../src/secrets/crypto.js';
import {
  createKeyFile,
  keyFilePath,
  MasterKeys,
  parseKeyText,
  pendingKeyPath,
  readKeyFile,
  writeKeyFile,
} from '../../../src/secrets/master-key.js';

function workspace(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a key is the base64 of 32 bytes; anything else says what is expected', () => {
  const key = newMasterKey();
  assert.equal(parseKeyText(` ${key.key.toString('base64')}\n`, 'X').id, key.id);
  assert.equal(parseKeyText(key.key.toString('base64url'), 'X').id, key.id);
  for (const bad of ['', 'not base64!', Buffer.alloc(16).toString('base64')])
    assert.throws(
      () => parseKeyText(bad, 'QUIRE_MASTER_KEY'),
      /QUIRE_MASTER_KEY: expected the base64 of 32 bytes/,
    );
});

test('the key file is created with mode 0600 even under a permissive umask; a second creator gets the first key', (t) => {
  const file = keyFilePath(workspace(t));
  const old = process.umask(0);
  t.after(() => process.umask(old));
  const first = createKeyFile(file, newMasterKey());
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readKeyFile(file)?.id, first.id);
  const second = createKeyFile(file, newMasterKey());
  assert.equal(second.id, first.id);
  assert.equal(readFileSync(file, 'utf8'), first.key.toString('base64') + '\n');
});

test('a key file readable by group or others is refused, naming the file and the chmod', (t) => {
  const file = keyFilePath(workspace(t));
  writeKeyFile(file, newMasterKey());
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    chmodSync(file, mode);
    assert.throws(
      () => readKeyFile(file),
      (error: Error) =>
        error.message ===
        `the master key file ${file} is open to group or others (mode 0${mode.toString(8)}): run \`chmod 600 ${file}\``,
    );
  }
  chmodSync(file, 0o400);
  assert.ok(readKeyFile(file));
  assert.equal(readKeyFile(join(file, '..', 'absent.key')), undefined);
});

test('QUIRE_MASTER_KEY wins over the key file', (t) => {
  const file = keyFilePath(workspace(t));
  const fromFile = newMasterKey();
  const fromEnv = newMasterKey();
  writeKeyFile(file, fromFile);
  const keys = new MasterKeys({ file, env: { QUIRE_MASTER_KEY: fromEnv.key.toString('base64') } });
  assert.equal(keys.mode, 'env');
  assert.equal(keys.current()?.id, fromEnv.id);
  assert.equal(keys.where(), 'QUIRE_MASTER_KEY');
  assert.equal(keys.byId(fromFile.id), undefined);
  // An empty variable counts as not set.
  const fileKeys = new MasterKeys({ file, env: { QUIRE_MASTER_KEY: '' } });
  assert.equal(fileKeys.mode, 'file');
  assert.equal(fileKeys.current()?.id, fromFile.id);
  assert.equal(fileKeys.where(), `the key file ${file}`);
});

test('keys are read afresh: a rotation in another process is seen; its pending key is found by id', (t) => {
  const file = keyFilePath(workspace(t));
  const keys = new MasterKeys({ file, env: {} });
  assert.equal(keys.current(), undefined);
  const k1 = keys.currentOrCreate(newMasterKey);
  assert.equal(keys.current()?.id, k1.id);
  const k2 = newMasterKey();
  writeKeyFile(pendingKeyPath(file), k2);
  assert.equal(keys.current()?.id, k1.id);
  assert.equal(keys.byId(k2.id)?.id, k2.id);
  assert.equal(keys.byId(k1.id)?.id, k1.id);
  writeKeyFile(file, k2);
  assert.equal(keys.current()?.id, k2.id);
  assert.equal(keys.byId(newMasterKey().id), undefined);
  // a malformed key file says which file
  writeFileSync(file, 'short\n', { mode: 0o600 });
  assert.throws(
    () => keys.current(),
    new RegExp(`the master key file ${file}: expected the base64 of 32 bytes`),
  );
});
