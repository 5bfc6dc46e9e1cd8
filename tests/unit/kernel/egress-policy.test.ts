// The egress decision: allowlist match, then every resolved address against the address rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllowList } from '../../../src/kernel/egress/allowlist.js';
import { decide, type Decision } from '../../../src/kernel/egress/policy.js';
import { parseAuthority } from '../../../src/kernel/egress/target.js';

const entries = parseAllowList([
  'api.example.com',
  '*.cdn.example',
  '*:8080',
  'db.internal:5432',
  '10.1.2.3:8443',
  '[fd00::1]:*',
]);

const DNS: Record<string, string[]> = {
  'api.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'a.cdn.example': ['151.101.1.1', '151.101.1.1'],
  'internal.cdn.example': ['10.0.0.7'],
  'mapped.cdn.example': ['::ffff:10.0.0.7'],
  'mixed.cdn.example': ['151.101.1.1', '127.0.0.1'],
  'meta.cdn.example': ['169.254.169.254'],
  'db.internal': ['10.20.30.40'],
  'empty.cdn.example': [],
  'garbage.cdn.example': ['not-an-address'],
  'public.other': ['8.8.4.4'],
  'private.other': ['192.168.1.20'],
};

async function resolve(hostname: string): Promise<string[]> {
  const answer = DNS[hostname];
  if (!answer) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return answer;
}

async function decision(authority: string): Promise<Decision> {
  const target = parseAuthority(authority);
  assert.ok(target, authority);
  return decide(target, entries, resolve);
}

const allowed: [string, string[], boolean][] = [
  ['api.example.com:443', ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'], true],
  ['a.cdn.example:443', ['151.101.1.1'], false],
  ['public.other:8080', ['8.8.4.4'], false],
  ['db.internal:5432', ['10.20.30.40'], true],
  ['10.1.2.3:8443', ['10.1.2.3'], true],
  ['[fd00::1]:22', ['fd00::1'], true],
  ['8.8.8.8:8080', ['8.8.8.8'], false],
];
for (const [authority, addresses, named] of allowed) {
  test(`allowed: ${authority}`, async () => {
    assert.deepEqual(await decision(authority), { allowed: true, addresses, named });
  });
}

const refused: [string, 403 | 502, RegExp][] = [
  [
    'evil.example:443',
    403,
    /^egress to evil\.example is not allowed \(quire\.config\.json network\.allow\)$/,
  ],
  ['api.example.com:22', 403, /^egress to api\.example\.com:22 is not allowed/],
  ['internal.cdn.example:443', 403, /internal\.cdn\.example resolves to 10\.0\.0\.7 \(private\)/],
  ['mapped.cdn.example:443', 403, /resolves to ::ffff:10\.0\.0\.7 \(private\)/],
  ['mixed.cdn.example:443', 403, /resolves to 127\.0\.0\.1 \(loopback\)/],
  ['meta.cdn.example:443', 403, /resolves to 169\.254\.169\.254 \(link-local\)/],
  ['private.other:8080', 403, /matched \*:8080\)$/],
  ['127.0.0.1:8080', 403, /127\.0\.0\.1 is a loopback address/],
  ['[::1]:8080', 403, /\[::1\] is a loopback address/],
  ['10.1.2.4:8443', 403, /^egress to 10\.1\.2\.4:8443 is not allowed \(quire/],
  ['garbage.cdn.example:443', 403, /bad address not-an-address/],
  ['nowhere.cdn.example:443', 502, /could not be resolved \(ENOTFOUND\)/],
  ['empty.cdn.example:443', 502, /has no address/],
];
for (const [authority, status, reason] of refused) {
  test(`refused: ${authority}`, async () => {
    const result = await decision(authority);
    assert.equal(result.allowed, false);
    if (result.allowed) return;
    assert.equal(result.status, status);
    assert.match(result.reason, reason);
    assert.doesNotMatch(result.reason, /\n/);
  });
}
