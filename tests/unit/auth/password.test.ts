/** Password hashes: the parameters actually used, verification, and the length cap. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodePasswordHash,
  hashPassword,
  MAX_PASSWORD_BYTES,
  needsRehash,
  PasswordPolicyError,
  verifyPassword,
} from '../../../src/auth/password.js';

test('a hash is argon2id with m=19456 KiB, t=2, p=1, a 16-byte salt and a 32-byte output', async () => {
  const encoded = await hashPassword('correct horse battery');
  assert.match(encoded, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  const parts = decodePasswordHash(encoded);
  assert.ok(parts);
  assert.deepEqual(
    {
      m: parts.memoryKiB,
      t: parts.iterations,
      p: parts.parallelism,
      salt: parts.salt.length,
      out: parts.hash.length,
    },
    { m: 19456, t: 2, p: 1, salt: 16, out: 32 },
  );
  assert.equal(needsRehash(encoded), false);
  assert.ok(!encoded.includes('correct horse'));
});

test('the same password hashes differently each time (a random salt), and both verify', async () => {
  const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('same password', a), true);
  assert.equal(await verifyPassword('same password', b), true);
});

test('a wrong password, a near miss and an empty one do not verify', async () => {
  const encoded = await hashPassword('correct horse battery');
  for (const wrong of [
    'wrong horse battery',
    'correct horse batter',
    'correct horse battery ',
    '',
    'Correct horse battery',
  ])
    assert.equal(await verifyPassword(wrong, encoded), false, JSON.stringify(wrong));
});

test('an unknown account (no hash) never verifies, whatever the password', async () => {
  assert.equal(await verifyPassword('anything at all', undefined), false);
  assert.equal(await verifyPassword('', undefined), false);
});

test('a hash that is not ours, or tampered with, does not verify', async () => {
  const encoded = await hashPassword('correct horse battery');
  assert.equal(await verifyPassword('correct horse battery', encoded.replace('argon2id', 'argon2i')), false);
  assert.equal(await verifyPassword('correct horse battery', 'plaintext'), false);
  // parameters past the bounds are refused before any hashing (a row written by hand)
  assert.equal(
    await verifyPassword('correct horse battery', encoded.replace('m=19456', 'm=99999999')),
    false,
  );
  // one bit of the stored hash flipped
  const hash = decodePasswordHash(encoded)!.hash;
  hash[0] = hash[0]! ^ 1;
  const flipped = encoded.replace(/[^$]+$/, hash.toString('base64').replace(/=+$/, ''));
  assert.notEqual(flipped, encoded);
  assert.equal(await verifyPassword('correct horse battery', flipped), false);
});

test('a 1 MB password is refused before hashing: setting it fails, checking it is false', async () => {
  const huge = 'x'.repeat(1024 * 1024);
  await assert.rejects(hashPassword(huge), PasswordPolicyError);
  const encoded = await hashPassword('x'.repeat(MAX_PASSWORD_BYTES));
  assert.equal(await verifyPassword('x'.repeat(MAX_PASSWORD_BYTES), encoded), true);
  assert.equal(await verifyPassword(huge, encoded), false);
  // the cap is in bytes: 342 three-byte characters (1026 bytes) are over it
  await assert.rejects(hashPassword('€'.repeat(342)), /at most 1024 bytes/);
});

test('a password shorter than 8 characters cannot be set', async () => {
  await assert.rejects(hashPassword('short'), /at least 8 characters/);
  await assert.rejects(hashPassword(''), PasswordPolicyError);
});

test('a hash made with weaker parameters asks to be replaced', () => {
  const weak = '$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$' + 'A'.repeat(43);
  assert.equal(needsRehash(weak), true);
});
