// The egress allowlist: entry syntax, host normalization, matching with wildcards and ports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  matchAllow,
  parseAllowEntry,
  parseAllowList,
  type AllowEntry,
} from '../../../src/kernel/egress/allowlist.js';
import {
  describeTarget,
  normalizeHost,
  parseAuthority,
  type Target,
} from '../../../src/kernel/egress/target.js';

const valid: [string, Omit<AllowEntry, 'text'>][] = [
  ['api.example.com', { host: { kind: 'name', name: 'api.example.com' }, port: 'web' }],
  ['API.Example.COM.', { host: { kind: 'name', name: 'api.example.com' }, port: 'web' }],
  ['api.example.com:8443', { host: { kind: 'name', name: 'api.example.com' }, port: 8443 }],
  ['api.example.com:*', { host: { kind: 'name', name: 'api.example.com' }, port: 'any' }],
  ['localhost:5432', { host: { kind: 'name', name: 'localhost' }, port: 5432 }],
  ['*.githubusercontent.com', { host: { kind: 'suffix', suffix: 'githubusercontent.com' }, port: 'web' }],
  ['*.example.com:8080', { host: { kind: 'suffix', suffix: 'example.com' }, port: 8080 }],
  ['*', { host: { kind: 'any' }, port: 'web' }],
  ['*:*', { host: { kind: 'any' }, port: 'any' }],
  ['10.1.2.3', { host: { kind: 'ip', address: '10.1.2.3' }, port: 'web' }],
  ['10.1.2.3:8443', { host: { kind: 'ip', address: '10.1.2.3' }, port: 8443 }],
  ['127.1:5432', { host: { kind: 'ip', address: '127.0.0.1' }, port: 5432 }],
  ['[fd00::1]', { host: { kind: 'ip', address: 'fd00::1' }, port: 'web' }],
  ['[fd00::1]:8443', { host: { kind: 'ip', address: 'fd00::1' }, port: 8443 }],
  ['[FD00:0:0::1]:*', { host: { kind: 'ip', address: 'fd00::1' }, port: 'any' }],
  ['fd00::1', { host: { kind: 'ip', address: 'fd00::1' }, port: 'web' }],
  ['[::ffff:127.0.0.1]:80', { host: { kind: 'ip', address: '::ffff:7f00:1' }, port: 80 }],
  ['bücher.example', { host: { kind: 'name', name: 'xn--bcher-kva.example' }, port: 'web' }],
  ['my_host.internal', { host: { kind: 'name', name: 'my_host.internal' }, port: 'web' }],
];
for (const [text, expected] of valid) {
  test(`entry ${text}`, () => {
    assert.deepEqual(parseAllowEntry(text), { text, ...expected });
  });
}

const invalid: [string, RegExp][] = [
  ['', /is empty/],
  ['https://api.example.com', /without a scheme/],
  ['api.example.com/v1', /without a path/],
  ['user@api.example.com', /without a path or user/],
  ['api.example.com:0', /"0" is not a port/],
  ['api.example.com:65536', /is not a port/],
  ['api.example.com:http', /is not a port/],
  ['api.*.com', /wildcard can only be/],
  ['*example.com', /wildcard can only be/],
  ['*.', /wildcard is \*\. followed by a domain/],
  ['*.10.0.0.1', /wildcard is \*\. followed by a domain/],
  ['[fd00::1', /IPv6 address in brackets/],
  ['[fd00::1]8443', /IPv6 address in brackets/],
  ['[not-ip]:80', /not a host name or IP address/],
  ['fd00::1::2', /not a host name or IP address/],
  ['bad host', /not a host name or IP address/],
  ['-bad.example', /not a host name or IP address/],
  ['a..b', /not a host name or IP address/],
  [`${'a'.repeat(64)}.example`, /not a host name or IP address/],
];
for (const [text, message] of invalid) {
  test(`invalid entry ${JSON.stringify(text)}`, () => {
    const result = parseAllowEntry(text);
    assert.equal(typeof result, 'string');
    assert.match(result as string, message);
    assert.match(result as string, /write a host name, \*\.example\.com, an IP address/);
  });
}

test('parseAllowList names each invalid entry by index', () => {
  assert.throws(
    () => parseAllowList(['ok.example', 'http://x', 'y:0']),
    /^Error: network\.allow\.1: "http:\/\/x".*; network\.allow\.2: "y:0"/,
  );
});

function target(authority: string): Target {
  const parsed = parseAuthority(authority);
  assert.ok(parsed, authority);
  return parsed;
}

const allow = parseAllowList([
  'api.example.com',
  '*.githubusercontent.com',
  '10.1.2.3:8443',
  '[fd00::1]:*',
  'db.internal:5432',
  '*.wild.example:*',
]);

const matches: [string, string | undefined, boolean?][] = [
  ['api.example.com:443', 'api.example.com', true],
  ['api.example.com:80', 'api.example.com', true],
  ['API.EXAMPLE.COM.:443', 'api.example.com', true],
  ['api.example.com:8443', undefined],
  ['example.com:443', undefined],
  ['x.api.example.com:443', undefined],
  ['raw.githubusercontent.com:443', '*.githubusercontent.com', false],
  ['a.b.githubusercontent.com:443', '*.githubusercontent.com', false],
  ['githubusercontent.com:443', undefined],
  ['evilgithubusercontent.com:443', undefined],
  ['raw.githubusercontent.com:22', undefined],
  ['10.1.2.3:8443', '10.1.2.3:8443', true],
  ['10.1.2.3:443', undefined],
  ['10.1.2.4:8443', undefined],
  ['[fd00::1]:22', '[fd00::1]:*', true],
  ['[fd00:0::1]:1', '[fd00::1]:*', true],
  ['[fd00::2]:22', undefined],
  ['db.internal:5432', 'db.internal:5432', true],
  ['db.internal:443', undefined],
  ['x.wild.example:1234', '*.wild.example:*', false],
  ['127.0.0.1:5432', undefined],
  ['evil.example:443', undefined],
];
for (const [authority, entry, named] of matches) {
  test(`match ${authority} → ${entry ?? 'nothing'}`, () => {
    const match = matchAllow(allow, target(authority));
    assert.equal(match?.entry.text, entry);
    if (entry) assert.equal(match?.named, named);
  });
}

test('a named entry wins over a wildcard that also matches', () => {
  const entries = parseAllowList(['*', '*.example.com', 'db.example.com']);
  assert.deepEqual(matchAllow(entries, target('db.example.com:443')), { entry: entries[2], named: true });
  assert.deepEqual(matchAllow(entries, target('www.example.com:443')), { entry: entries[0], named: false });
  assert.equal(matchAllow(entries, target('db.example.com:5432')), undefined);
  assert.deepEqual(matchAllow(entries, target('10.0.0.1:80')), { entry: entries[0], named: false });
});

test('normalizeHost: one canonical form for names and addresses', () => {
  assert.deepEqual(normalizeHost('Example.COM'), { kind: 'name', value: 'example.com' });
  assert.deepEqual(normalizeHost('0x7f000001'), { kind: 'ip', value: '127.0.0.1' });
  assert.deepEqual(normalizeHost('2130706433'), { kind: 'ip', value: '127.0.0.1' });
  assert.deepEqual(normalizeHost('0177.0.0.1'), { kind: 'ip', value: '127.0.0.1' });
  assert.deepEqual(normalizeHost('[0:0:0:0:0:0:0:1]'), { kind: 'ip', value: '::1' });
  assert.deepEqual(normalizeHost('::1'), { kind: 'ip', value: '::1' });
  for (const bad of ['', 'a b', 'a/b', 'a@b', 'a:b', '[::1', '1.2.3.256', 'x%2e', 'a\nb', '*.x'])
    assert.equal(normalizeHost(bad), undefined, bad);
});

test('parseAuthority needs a port; describeTarget hides the web ports', () => {
  assert.equal(parseAuthority('example.com'), undefined);
  assert.equal(parseAuthority('example.com:'), undefined);
  assert.equal(parseAuthority('[::1]'), undefined);
  assert.equal(parseAuthority('::1:80'), undefined);
  assert.deepEqual(parseAuthority('[::1]:80'), { host: { kind: 'ip', value: '::1' }, port: 80 });
  assert.equal(describeTarget(target('evil.example:443')), 'evil.example');
  assert.equal(describeTarget(target('evil.example:80')), 'evil.example');
  assert.equal(describeTarget(target('127.0.0.1:5432')), '127.0.0.1:5432');
  assert.equal(describeTarget(target('[::1]:5432')), '[::1]:5432');
});
