// The `alerts` key of quire.config.json: validation messages name the field; the webhook URL comes
// from the environment or a secret and is never echoed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  AlertConfigError,
  loadAlertConfig,
  parseAlertsSpec,
  resolveAlertConfig,
} from '../../../src/jobs/alert-config.js';

const F = '/ws/quire.config.json';
const URL_VALUE = 'https://hooks.example.com/services/T000/B000/s3cr3t-token';

const invalid: [string, unknown, RegExp][] = [
  ['alerts not an object', [], /: alerts: /],
  [
    'a URL in the file',
    { webhook: { url: URL_VALUE } },
    /alerts\.webhook\.url: the webhook URL is a credential/,
  ],
  ['both urlEnv and secret', { webhook: { urlEnv: 'A', secret: 'B' } }, /alerts\.webhook: set at most one/],
  [
    'bad env name',
    { webhook: { urlEnv: 'not a var' } },
    /alerts\.webhook\.urlEnv: must be an environment variable name/,
  ],
  ['bad secret name', { webhook: { secret: 'a b' } }, /alerts\.webhook\.secret: must be a secret name/],
  ['unknown webhook key', { webhook: { headers: {} } }, /alerts\.webhook: .*headers/],
  ['unknown alerts key', { windowMinute: 5 }, /alerts: .*windowMinute/],
  ['negative window', { windowMinutes: -1 }, /alerts\.windowMinutes: /],
  ['window as text', { windowMinutes: '60' }, /alerts\.windowMinutes: /],
  ['baseUrl not http', { baseUrl: 'ftp://x' }, /alerts\.baseUrl: must be an http\(s\) URL/],
  ['fractional timeout', { timeoutMs: 1.5 }, /alerts\.timeoutMs: /],
  ['too many retries', { retries: 99 }, /alerts\.retries: /],
];
for (const [name, alerts, message] of invalid) {
  test(`invalid alerts config: ${name}`, () => {
    assert.throws(
      () => parseAlertsSpec({ alerts }, F),
      (error: Error) => {
        assert.ok(error.message.startsWith(`${F}: alerts`), error.message);
        assert.match(error.message, message);
        assert.ok(!error.message.includes('s3cr3t'), error.message);
        return true;
      },
    );
  });
}

test('no alerts key: alerts are off', () => {
  assert.equal(parseAlertsSpec({ connections: {} }, F), undefined);
  assert.equal(parseAlertsSpec({}, F), undefined);
});

test('defaults: QUIRE_ALERT_WEBHOOK, one hour, 5 s, 3 retries, no links', () => {
  const spec = parseAlertsSpec({ alerts: {} }, F)!;
  const config = resolveAlertConfig(spec, F, { QUIRE_ALERT_WEBHOOK: URL_VALUE });
  assert.deepEqual(config, {
    url: URL_VALUE,
    urlSource: 'environment variable QUIRE_ALERT_WEBHOOK',
    windowMs: 3_600_000,
    timeoutMs: 5000,
    retries: 3,
  });
});

test('every field; the URL from a secret; the base URL loses its trailing slash', () => {
  const spec = parseAlertsSpec(
    {
      alerts: {
        webhook: { secret: 'alert-hook' },
        windowMinutes: 15,
        baseUrl: 'https://quire.example.com/',
        timeoutMs: 2000,
        retries: 0,
      },
    },
    F,
  )!;
  const config = resolveAlertConfig(spec, F, { QUIRE_SECRET_ALERT_HOOK: URL_VALUE });
  assert.equal(config.url, URL_VALUE);
  assert.equal(config.urlSource, 'secret "alert-hook" (environment variable QUIRE_SECRET_ALERT_HOOK)');
  assert.equal(config.windowMs, 15 * 60_000);
  assert.equal(config.baseUrl, 'https://quire.example.com');
  assert.equal(config.timeoutMs, 2000);
  assert.equal(config.retries, 0);
});

test('a missing or malformed URL names where it was looked for, never the value', () => {
  const named = parseAlertsSpec({ alerts: { webhook: { urlEnv: 'HOOK' } } }, F)!;
  assert.throws(
    () => resolveAlertConfig(named, F, {}),
    new AlertConfigError(`${F}: alerts.webhook.urlEnv: environment variable HOOK is not set`),
  );
  assert.throws(
    () => resolveAlertConfig(named, F, { HOOK: 'hooks.example.com/s3cr3t' }),
    (error: Error) => {
      assert.equal(
        error.message,
        `${F}: alerts.webhook.urlEnv: environment variable HOOK does not hold an http(s) URL`,
      );
      return true;
    },
  );
  const secret = parseAlertsSpec({ alerts: { webhook: { secret: 'HOOK' } } }, F)!;
  assert.throws(
    () => resolveAlertConfig(secret, F, { QUIRE_SECRET_HOOK: '' }),
    /alerts\.webhook\.secret: secret "HOOK" \(environment variable QUIRE_SECRET_HOOK\) is not set/,
  );
  const defaulted = parseAlertsSpec({ alerts: {} }, F)!;
  assert.throws(
    () => resolveAlertConfig(defaulted, F, {}),
    /alerts\.webhook: environment variable QUIRE_ALERT_WEBHOOK is not set/,
  );
});

test('loadAlertConfig reads the workspace file next to its connections', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'quire-alerts-config-'));
  try {
    assert.equal(loadAlertConfig(workspace, {}), undefined, 'no file: off');
    const file = join(workspace, 'quire.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        connections: { wh: { type: 'postgres', urlEnv: 'WH_URL' } },
        alerts: { webhook: { urlEnv: 'HOOK' }, baseUrl: 'http://localhost:8080' },
      }),
    );
    const config = loadAlertConfig(workspace, { HOOK: URL_VALUE });
    assert.equal(config?.url, URL_VALUE);
    assert.equal(config?.baseUrl, 'http://localhost:8080');
    writeFileSync(file, JSON.stringify({ alerts: { webhook: { urlEnv: 1 } } }));
    assert.throws(
      () => loadAlertConfig(workspace, {}),
      new RegExp(`^AlertConfigError: ${file}: alerts\\.webhook\\.urlEnv: `),
    );
    writeFileSync(file, JSON.stringify({ connections: { wh: { type: 'mysql' } }, alerts: {} }));
    assert.throws(() => loadAlertConfig(workspace, { QUIRE_ALERT_WEBHOOK: URL_VALUE }), /connections\.wh/);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
