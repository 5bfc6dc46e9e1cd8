/**
 * A secret value at rest: AES-256-GCM with a fresh nonce, bound to its name and key id. A wrong
 * key, a changed byte or a ciphertext moved to another name fails with a message naming the
 * secret, never the value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  keyIdOf,
  masterKey,
  newMasterKey,
  seal,
  SecretDecryptError,
  unseal,
  type SealedValue,
} from '../../../src/secrets/crypto.js';

const VALUE = 'sk-live-Ωμέγα-0123456789\nsecond line';

/** `sealed` with one bit of the base64 field `field` flipped. */
function flipped(sealed: SealedValue, field: 'ciphertext' | 'nonce', at = 0): SealedValue {
  const bytes = Buffer.from(sealed[field], 'base64');
  bytes[at]! ^= 0x01;
  return { ...sealed, [field]: bytes.toString('base64') };
}

test('any value round-trips, under a fresh nonce each time', () => {
  const key = newMasterKey();
  fc.assert(
    fc.property(fc.string({ unit: 'binary', minLength: 1 }), fc.string({ minLength: 1 }), (value, name) => {
      assert.equal(unseal(name, seal(name, value, key), key), value);
    }),
  );
  const a = seal('A', VALUE, key);
  const b = seal('A', VALUE, key);
  assert.notEqual(a.nonce, b.nonce);
  assert.notEqual(a.ciphertext, b.ciphertext);
  assert.equal(Buffer.from(a.nonce, 'base64').length, 12);
  assert.ok(!a.ciphertext.includes(Buffer.from(VALUE).toString('base64').slice(0, 8)));
});

test('the key id is a short hash of the key, the same for the same bytes', () => {
  const bytes = Buffer.alloc(32, 7);
  assert.match(keyIdOf(bytes), /^[0-9a-f]{12}$/);
  assert.equal(masterKey(Buffer.from(bytes)).id, keyIdOf(bytes));
  assert.notEqual(newMasterKey().id, newMasterKey().id);
  assert.throws(() => masterKey(Buffer.alloc(16)), /32 bytes, got 16/);
});

test('a wrong key is named, not reported as a GCM failure', () => {
  const k1 = newMasterKey();
  const k2 = newMasterKey();
  const sealed = seal('API_KEY', VALUE, k1);
  assert.equal(sealed.keyId, k1.id);
  assert.throws(
    () => unseal('API_KEY', sealed, k2),
    (error: Error) =>
      error instanceof SecretDecryptError &&
      error.message ===
        `the secret "API_KEY" was encrypted with key ${k1.id}; the master key in use is ${k2.id}`,
  );
});

test('a changed ciphertext, tag or nonce fails with a message naming the secret and not the value', () => {
  const key = newMasterKey();
  const sealed = seal('API_KEY', VALUE, key);
  const length = Buffer.from(sealed.ciphertext, 'base64').length;
  for (const bad of [
    flipped(sealed, 'ciphertext', 0),
    flipped(sealed, 'ciphertext', length - 1), // the tag
    flipped(sealed, 'nonce', 5),
    { ...sealed, ciphertext: Buffer.from(sealed.ciphertext, 'base64').subarray(0, 10).toString('base64') },
    { ...sealed, nonce: 'AAAA' },
  ]) {
    assert.throws(
      () => unseal('API_KEY', bad, key),
      (error: Error) =>
        error instanceof SecretDecryptError &&
        /^the secret "API_KEY" cannot be decrypted: its stored value was altered/.test(error.message) &&
        !error.message.includes(VALUE),
    );
  }
});

test('the AAD binds the ciphertext to its name and its key id: a swap or relabel fails', () => {
  const key = newMasterKey();
  const prod = seal('PROD_TOKEN', 'prod-value-123', key);
  const dev = seal('DEV_TOKEN', 'dev-value-456', key);
  // The rows' ciphertexts swapped: each name now holds the other's value, and neither opens.
  assert.throws(() => unseal('DEV_TOKEN', prod, key), /the secret "DEV_TOKEN" cannot be decrypted/);
  assert.throws(() => unseal('PROD_TOKEN', dev, key), /the secret "PROD_TOKEN" cannot be decrypted/);
  // A row relabelled with another key id is refused (and the AAD would refuse it too).
  assert.throws(
    () => unseal('PROD_TOKEN', { ...prod, keyId: 'ffffffffffff' }, key),
    /encrypted with key ffffffffffff/,
  );
});
