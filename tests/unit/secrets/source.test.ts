/** EnvSecretSource: secrets from the host's environment, `QUIRE_SECRET_<NAME>`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnvSecretSource, MissingSecretError, secretEnvVar } from '../../../src/secrets/source.js';

test('the variable name is upper-cased with every non-alphanumeric char as _', () => {
  assert.equal(secretEnvVar('api_key'), 'QUIRE_SECRET_API_KEY');
  assert.equal(secretEnvVar('db-pass.prod'), 'QUIRE_SECRET_DB_PASS_PROD');
  assert.equal(secretEnvVar('é 1'), 'QUIRE_SECRET___1');
});

test('get reads the variable; unset and empty are both not set', () => {
  const source = new EnvSecretSource({ QUIRE_SECRET_API_KEY: 'sk-1', QUIRE_SECRET_EMPTY: '', API_KEY: 'no' });
  assert.equal(source.get('API_KEY'), 'sk-1');
  assert.equal(source.get('api-key'), 'sk-1');
  assert.equal(source.get('EMPTY'), undefined);
  assert.equal(source.get('OTHER'), undefined);
});

test('describe says where it looked, and the missing-secret error quotes it', () => {
  const source = new EnvSecretSource({});
  assert.equal(source.describe('api-key'), 'environment variable QUIRE_SECRET_API_KEY');
  const error = new MissingSecretError('API_KEY', source.describe('API_KEY'));
  assert.equal(error.message, 'secret "API_KEY" is not set (environment variable QUIRE_SECRET_API_KEY)');
  assert.equal(error.name, 'SecretError');
});

test('by default it reads process.env', () => {
  process.env.QUIRE_SECRET_UNIT_TEST_ONLY = 'value-1';
  try {
    assert.equal(new EnvSecretSource().get('unit-test-only'), 'value-1');
  } finally {
    delete process.env.QUIRE_SECRET_UNIT_TEST_ONLY;
  }
});
