// The alert webhook URL from the encrypted secret store (`alerts.webhook.urlSecret`), on SQLite and
// PostgreSQL: the host resolves it at start, the alert reaches a real webhook (a node:http server on
// a random port), the config's messages name the secret and never the URL, a secret the store does
// not have stops the start with a message naming it, and a delivery error that quotes the URL (with
// its credentials) is logged redacted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AlertConfigError, loadHostAlertConfig } from '../../../src/jobs/alert-config.js';
import { Alerts, type AlertLogEntry } from '../../../src/jobs/alerts.js';
import { keyFilePath, MasterKeys } from '../../../src/secrets/master-key.js';
import { SecretStore } from '../../../src/secrets/store.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const TOKEN = 'T0KEN-9f8e7d6c5b';
const PASSWORD = 'hook-pass-41c2e0';

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`alert webhook from the secret store on ${dialect}`, () => {
    let workspace: string;
    let database: TestDatabase | undefined;
    let runStore: RunStore;
    let secrets: SecretStore;
    let server: Server;
    let url: string;
    const received: string[] = [];

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-alert-secret-'));
      writeFileSync(
        join(workspace, 'quire.config.json'),
        JSON.stringify({ alerts: { webhook: { urlSecret: 'ALERT_HOOK' }, retries: 0 } }),
      );
      if (dialect === 'postgres') database = await createTestDatabase();
      runStore = await openStore({ workspace, ...(database ? { url: database.url } : {}) });
      secrets = new SecretStore(runStore.db, new MasterKeys({ file: keyFilePath(workspace), env: {} }));
      server = createServer((req, res) => {
        received.push(req.url ?? '');
        req.resume().on('end', () => res.writeHead(204).end());
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${TOKEN}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runStore.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });

    async function failedRun(path: string) {
      const run = await runStore.create({
        path,
        source: '# n\n',
        trigger: 'schedule',
        params: {},
        status: 'running',
        worker: 'server@h:1',
      });
      assert.ok(run);
      await runStore.finish(run.id, 1, { status: 'error', error: 'cell "load" failed' });
      return (await runStore.get(run.id))!;
    }

    test('a secret the store does not have stops the start, naming it and the store', async () => {
      await assert.rejects(
        loadHostAlertConfig(workspace, runStore.db, {}),
        (error: Error) =>
          error instanceof AlertConfigError &&
          /alerts\.webhook\.urlSecret: secret "ALERT_HOOK" \(environment variable QUIRE_SECRET_ALERT_HOOK or the secret store .*\) is not set/.test(
            error.message,
          ),
      );
    });

    test('the URL comes from the store; the alert is delivered; no message holds the URL', async () => {
      await secrets.set('ALERT_HOOK', url);
      const config = (await loadHostAlertConfig(workspace, runStore.db, {}))!;
      assert.equal(config.url, url);
      assert.match(
        config.urlSource,
        /^secret "ALERT_HOOK" \(environment variable QUIRE_SECRET_ALERT_HOOK or the secret store /,
      );
      assert.ok(!config.urlSource.includes(TOKEN));
      const logs: AlertLogEntry[] = [];
      const alerts = new Alerts({ db: runStore.db, config, log: (entry) => logs.push(entry) });
      await alerts.runFinal(await failedRun('a.nb.md'));
      assert.deepEqual(received, [`/hooks/${TOKEN}`]);
      assert.ok(!JSON.stringify(logs).includes(TOKEN));
    });

    test('the environment still comes first (QUIRE_SECRET_<NAME>)', async () => {
      const config = (await loadHostAlertConfig(workspace, runStore.db, {
        QUIRE_SECRET_ALERT_HOOK: 'https://env.example.com/hook',
      }))!;
      assert.equal(config.url, 'https://env.example.com/hook');
    });

    test('a delivery error that quotes the URL is logged with the URL and its parts redacted', async () => {
      // fetch refuses a URL with credentials, and its message quotes the URL whole.
      const withCredentials = url.replace('http://', `http://hook:${PASSWORD}@`);
      await secrets.set('ALERT_HOOK', withCredentials);
      const config = (await loadHostAlertConfig(workspace, runStore.db, {}))!;
      const logs: AlertLogEntry[] = [];
      const alerts = new Alerts({ db: runStore.db, config, log: (entry) => logs.push(entry) });
      await alerts.runFinal(await failedRun('b.nb.md'));
      const failed = logs.find((l) => l.message === 'failure alert not delivered');
      assert.ok(failed, JSON.stringify(logs));
      assert.match(String(failed.reason), /includes credentials: \[REDACTED\]/);
      const logged = JSON.stringify(logs);
      for (const part of [PASSWORD, TOKEN, withCredentials]) assert.ok(!logged.includes(part), part);
    });
  });
}

suite('sqlite');
suite('postgres');
