// The `auth.oidc` config (errors name the field), the role a login's groups give, and the name a
// new single sign-on account gets. Pure: no store, no provider.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientSecretOf, parseOidcSettings, roleFromGroups } from '../../../src/auth/oidc-config.js';
import { nameFromHints } from '../../../src/auth/oidc-identities.js';
import type { Role } from '../../../src/auth/roles.js';

const BASE = {
  issuer: 'https://idp.example.org/realms/data',
  clientId: 'quire',
  clientSecretEnv: 'QUIRE_OIDC_SECRET',
  roleMap: { 'data-admins': 'admin', analysts: 'editor' },
};
const parse = (oidc: unknown) => parseOidcSettings(JSON.stringify({ auth: { oidc } }));

test('a config without auth.oidc has no single sign-on; a full one gets its defaults', () => {
  assert.equal(parseOidcSettings('{"connections":{}}'), undefined);
  assert.equal(parseOidcSettings('{"auth":{}}'), undefined);
  const settings = parse(BASE)!;
  assert.equal(settings.groupsClaim, 'groups');
  assert.deepEqual(settings.scopes, ['profile', 'email']);
  assert.equal(settings.defaultRole, undefined);
});

test('a bad auth.oidc names the field', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...BASE, issuer: 'not a url' }, /auth\.oidc\.issuer/],
    [{ ...BASE, issuer: 'ftp://idp.example.org' }, /auth\.oidc\.issuer/],
    [{ ...BASE, clientId: '' }, /auth\.oidc\.clientId/],
    [{ ...BASE, roleMap: { analysts: 'owner' } }, /auth\.oidc\.roleMap\.analysts/],
    [{ ...BASE, defaultRole: 'root' }, /auth\.oidc\.defaultRole/],
    [
      { ...BASE, clientSecretEnv: 'not a name' },
      /auth\.oidc\.clientSecretEnv: must be an environment variable name/,
    ],
    [{ ...BASE, clientSecretEnv: undefined }, /exactly one of "clientSecretEnv" or "clientSecretStored"/],
    [{ ...BASE, clientSecretStored: 'oidc' }, /exactly one of "clientSecretEnv" or "clientSecretStored"/],
    [{ ...BASE, clientSecret: 'in the file' }, /auth\.oidc.*clientSecret/],
    [{ ...BASE, roleMap: {} }, /map at least one group in "roleMap", or set "defaultRole"/],
  ];
  for (const [oidc, message] of cases) assert.throws(() => parse(oidc), message, JSON.stringify(oidc));
  assert.throws(() => parseOidcSettings('{"auth": 3}'), /auth: expected an object/);
  assert.throws(() => parseOidcSettings('{'), /invalid JSON/);
});

test('the client secret comes from its variable or the secret store; unset is an error naming the field', async () => {
  const settings = parse(BASE)!;
  assert.equal(await clientSecretOf(settings, { QUIRE_OIDC_SECRET: 's3' }, async () => 'no'), 's3');
  await assert.rejects(
    clientSecretOf(settings, {}, async () => 'no'),
    /auth\.oidc\.clientSecretEnv names QUIRE_OIDC_SECRET, which is not set/,
  );
  const stored = parse({ ...BASE, clientSecretEnv: undefined, clientSecretStored: 'oidc-secret' })!;
  assert.equal(
    await clientSecretOf(stored, {}, async (name) => (name === 'oidc-secret' ? 'from store' : undefined)),
    'from store',
  );
  await assert.rejects(
    clientSecretOf(stored, {}, async () => undefined),
    /clientSecretStored names "oidc-secret"/,
  );
});

test('groups to a role: the highest mapped group wins, else the default, else none', () => {
  const map: Record<string, Role> = {
    'data-admins': 'admin',
    analysts: 'editor',
    ops: 'runner',
    all: 'viewer',
  };
  const cases: [unknown, Role | undefined, Role | undefined][] = [
    [['analysts'], undefined, 'editor'],
    [['all', 'analysts', 'ops'], undefined, 'editor'],
    [['ops', 'data-admins'], undefined, 'admin'],
    ['analysts', undefined, 'editor'],
    [['interns'], undefined, undefined],
    [['interns'], 'viewer', 'viewer'],
    [['analysts'], 'admin', 'editor'],
    [[], undefined, undefined],
    [undefined, 'viewer', 'viewer'],
    [{ analysts: true }, undefined, undefined],
    [[42, null, 'ops'], undefined, 'runner'],
    [['constructor', '__proto__', 'toString'], undefined, undefined],
    [['Analysts'], undefined, undefined],
  ];
  for (const [claim, fallback, role] of cases)
    assert.equal(roleFromGroups(claim, map, fallback).role, role, `${JSON.stringify(claim)} / ${fallback}`);
});

test('a new account is named after the first usable hint', () => {
  const cases: [unknown[], string][] = [
    [['Alice', 'alice@example.org'], 'alice'],
    [[undefined, 'Dora.Smith@example.org'], 'dora.smith'],
    [['Jean Pierre'], 'jean-pierre'],
    [['--', '田中'], 'user'],
    [['__x'], 'x'],
    [[42, null, 'ok'], 'ok'],
    [['a'.repeat(100)], 'a'.repeat(56)],
    [[], 'user'],
  ];
  for (const [hints, name] of cases) assert.equal(nameFromHints(hints), name, JSON.stringify(hints));
});
