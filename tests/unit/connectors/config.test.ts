// quire.config.json validation and URL resolution; pg parsers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionUrl, egressAllowList, parseWorkspaceConfig } from '../../../src/connectors/host/config.js';
import { parseDate, parseInt8, parseTimestamp, pgTypeName } from '../../../src/connectors/host/pg-types.js';

const F = '/ws/quire.config.json';

const invalid: [string, unknown, RegExp][] = [
  ['unknown type', { connections: { w: { type: 'mysql', url: 'x' } } }, /connections\.w\.type/],
  [
    'both url and urlEnv',
    { connections: { w: { type: 'postgres', url: 'x', urlEnv: 'Y' } } },
    /connections\.w: set exactly one/,
  ],
  ['neither', { connections: { w: { type: 'postgres' } } }, /connections\.w: set exactly one/],
  [
    'bad env name',
    { connections: { w: { type: 'postgres', urlEnv: 'not a var' } } },
    /connections\.w\.urlEnv/,
  ],
  ['unknown key', { connections: { w: { type: 'postgres', url: 'x', password: 'p' } } }, /connections\.w/],
  ['connections not an object', { connections: [] }, /connections/],
  ['network.allow not a list', { network: { allow: 'api.example.com' } }, /network\.allow: /],
  ['network without allow', { network: {} }, /network\.allow: /],
  ['network unknown key', { network: { allow: [], deny: [] } }, /network: .*deny/],
  [
    'network.allow entry with a scheme',
    { network: { allow: ['api.example.com', 'https://x.example'] } },
    /network\.allow\.1: "https:\/\/x\.example" is not a valid entry: write the host without a scheme/,
  ],
  ['network.allow bad port', { network: { allow: ['x.example:99999'] } }, /network\.allow\.0: .*not a port/],
  ['network.allow entry not a string', { network: { allow: [5] } }, /network\.allow\.0: /],
];
for (const [name, config, message] of invalid) {
  test(`invalid config: ${name}`, () => {
    assert.throws(
      () => parseWorkspaceConfig(JSON.stringify(config), F),
      (error: Error) => {
        assert.ok(error.message.startsWith(`${F}: `), error.message);
        assert.match(error.message, message);
        return true;
      },
    );
  });
}

test('invalid JSON names the file', () => {
  assert.throws(() => parseWorkspaceConfig('{', F), /quire\.config\.json: invalid JSON/);
});

test('valid config; other top-level keys are kept', () => {
  const config = parseWorkspaceConfig(
    JSON.stringify({ connections: { w: { type: 'postgres', urlEnv: 'W_URL' } }, other: 1 }),
    F,
  );
  assert.deepEqual(config.connections, { w: { type: 'postgres', urlEnv: 'W_URL' } });
  assert.deepEqual(parseWorkspaceConfig('{}', F).connections, {});
});

test('network.allow: kept as written; absent or empty means no egress', () => {
  const allow = ['api.example.com', '*.githubusercontent.com', '10.1.2.3:8443', '[fd00::1]:*'];
  const config = parseWorkspaceConfig(JSON.stringify({ network: { allow } }), F);
  assert.deepEqual(config.network, { allow });
  assert.deepEqual(egressAllowList(config), allow);
  assert.equal(egressAllowList(parseWorkspaceConfig('{}', F)), undefined);
  assert.equal(egressAllowList(parseWorkspaceConfig('{"network":{"allow":[]}}', F)), undefined);
});

test('connectionUrl reads the env var, or names what is missing', () => {
  assert.equal(
    connectionUrl('w', { type: 'postgres', urlEnv: 'W_URL' }, { W_URL: 'postgres://h/db' }),
    'postgres://h/db',
  );
  assert.equal(connectionUrl('w', { type: 'postgres', url: 'postgres://f/db' }, {}), 'postgres://f/db');
  assert.throws(
    () => connectionUrl('w', { type: 'postgres', urlEnv: 'W_URL' }, {}),
    /connection "w": environment variable W_URL is not set/,
  );
});

test('pg parsers', () => {
  assert.equal(parseInt8('42'), 42);
  assert.equal(parseInt8('-9007199254740993'), -9007199254740993n);
  assert.deepEqual(parseDate('2024-02-29'), new Date('2024-02-29T00:00:00Z'));
  assert.equal(parseDate('infinity'), 'infinity');
  assert.deepEqual(parseTimestamp('2024-02-29 01:02:03.5'), new Date('2024-02-29T01:02:03.500Z'));
  assert.equal(pgTypeName(20), 'bigint');
  assert.equal(pgTypeName(99999), 'oid:99999');
});
