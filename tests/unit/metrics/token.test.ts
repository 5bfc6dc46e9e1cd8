/**
 * The metrics token: where it comes from (environment over quire.config.json), what a bad config
 * does (refuses to start rather than serve open metrics), and the bearer comparison.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bearerMatches, resolveMetricsToken } from '../../../src/metrics/token.js';

function workspace(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-metrics-token-'));
  if (config !== undefined) {
    writeFileSync(
      join(dir, 'quire.config.json'),
      typeof config === 'string' ? config : JSON.stringify(config),
    );
  }
  return dir;
}

test('no environment variable and no config: metrics are open', () => {
  const empty = workspace();
  const other = workspace({ connections: {} });
  try {
    assert.equal(resolveMetricsToken({ env: {}, workspace: empty }), undefined);
    assert.equal(resolveMetricsToken({ env: {}, workspace: other }), undefined);
    assert.equal(resolveMetricsToken({ env: {} }), undefined);
  } finally {
    rmSync(empty, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test('QUIRE_METRICS_TOKEN wins over the config; an empty value counts as unset', () => {
  const dir = workspace({ metrics: { token: 'from-config' } });
  try {
    assert.equal(
      resolveMetricsToken({ env: { QUIRE_METRICS_TOKEN: ' from-env ' }, workspace: dir }),
      'from-env',
    );
    assert.equal(resolveMetricsToken({ env: { QUIRE_METRICS_TOKEN: '' }, workspace: dir }), 'from-config');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('metrics.tokenEnv names the variable holding the token', () => {
  const dir = workspace({ metrics: { tokenEnv: 'SCRAPE_TOKEN' } });
  try {
    assert.equal(resolveMetricsToken({ env: { SCRAPE_TOKEN: 's3cret' }, workspace: dir }), 's3cret');
    assert.throws(() => resolveMetricsToken({ env: {}, workspace: dir }), /SCRAPE_TOKEN, which is not set/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a config that cannot be read stops the start instead of leaving metrics open', () => {
  const cases: [unknown, RegExp][] = [
    ['{ not json', /quire\.config\.json: invalid JSON/],
    [{ metrics: { token: 'a', tokenEnv: 'B' } }, /at most one of "token" or "tokenEnv"/],
    [{ metrics: { token: 42 } }, /metrics\.token:/],
    [{ metrics: { tokne: 'typo' } }, /metrics: .*tokne/],
  ];
  for (const [config, error] of cases) {
    const dir = workspace(config);
    try {
      assert.throws(() => resolveMetricsToken({ env: {}, workspace: dir }), error, JSON.stringify(config));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('bearerMatches accepts exactly `Bearer <token>`', () => {
  const token = 'abc123';
  assert.equal(bearerMatches('Bearer abc123', token), true);
  assert.equal(bearerMatches('bearer abc123', token), true, 'the scheme is case-insensitive (RFC 7235)');
  assert.equal(bearerMatches('Bearer abc1234', token), false);
  assert.equal(bearerMatches('Bearer abc12', token), false);
  assert.equal(bearerMatches('Bearer ABC123', token), false);
  assert.equal(bearerMatches('Basic abc123', token), false);
  assert.equal(bearerMatches('abc123', token), false);
  assert.equal(bearerMatches('Bearer ', token), false);
  assert.equal(bearerMatches(undefined, token), false);
});
