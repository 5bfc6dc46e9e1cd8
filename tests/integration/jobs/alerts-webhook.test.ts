// Alert delivery to a real webhook: a node:http server on a random port. Payload shape, retries on
// 5xx with backoff, no retries on 4xx, a webhook that is down or hangs (runFinal still resolves,
// the outcome is `failed`), and two processes finishing runs of one notebook at once (one POST) on
// SQLite and on PostgreSQL with two separate connection pools.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlertConfig } from '../../../src/jobs/alert-config.js';
import { Alerts, alertState, type AlertLogEntry, type AlertsOptions } from '../../../src/jobs/alerts.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import type { StoredRun } from '../../../src/store/types.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const SOURCE = '---\ntitle: Orders by region\n---\n\n```ts\n1\n```\n';
const TOKEN = 'T0KEN-abc123';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A webhook answering each POST with the next status of `statuses` (the last one repeats). */
class Webhook {
  readonly received: Received[] = [];
  statuses: (number | 'hang')[] = [204];
  headers: Record<string, string> = {};
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        this.received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: JSON.parse(text) as Record<string, unknown>,
        });
        const status = this.statuses.length > 1 ? this.statuses.shift()! : this.statuses[0]!;
        if (status === 'hang') return;
        res.writeHead(status, this.headers).end(status >= 400 ? 'nope' : '');
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/${TOKEN}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('alert webhook', () => {
  let store: RunStore;
  let workspace: string;
  let webhook: Webhook;
  let url: string;
  let n = 0;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'quire-alert-webhook-'));
    store = await openStore({ workspace });
    webhook = new Webhook();
    url = await webhook.start();
  });
  after(async () => {
    await webhook.stop();
    await store.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  const config = (overrides: Partial<AlertConfig> = {}): AlertConfig => ({
    url,
    urlSource: 'environment variable QUIRE_ALERT_WEBHOOK',
    windowMs: 3_600_000,
    baseUrl: 'https://quire.example.com',
    timeoutMs: 2000,
    retries: 3,
    ...overrides,
  });

  /** Alerts whose sleeps return at once and are recorded; outcomes and log lines are collected. */
  function alertsWith(overrides: Partial<AlertConfig> = {}, options: Partial<AlertsOptions> = {}) {
    const sleeps: number[] = [];
    const outcomes: string[] = [];
    const logs: AlertLogEntry[] = [];
    const alerts = new Alerts({
      db: store.db,
      config: config(overrides),
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      onSend: (kind, outcome) => outcomes.push(`${kind} ${outcome}`),
      log: (entry) => logs.push(entry),
      ...options,
    });
    return { alerts, sleeps, outcomes, logs };
  }

  /** A failed run of a notebook of its own, so tests do not dedupe each other. */
  async function failedRun(path = `n${++n}.nb.md`, error = 'cell "load" failed: timeout after 3012 ms') {
    const run = await store.create({
      path,
      source: SOURCE,
      title: 'Orders by region',
      trigger: 'schedule',
      params: { region: 'EU' },
      status: 'running',
      worker: 'server@h:1',
      now: Date.UTC(2025, 0, 6, 6, 0, 0),
    });
    assert.ok(run);
    await store.finish(run.id, 1, { status: 'error', error, now: Date.UTC(2025, 0, 6, 6, 0, 3) });
    return (await store.get(run.id))!;
  }

  test('the failure payload', async () => {
    webhook.received.length = 0;
    webhook.statuses = [204];
    const { alerts, outcomes } = alertsWith({}, { now: () => Date.UTC(2025, 0, 6, 6, 0, 4) });
    const run = await failedRun('orders.nb.md');
    await alerts.runFinal(run);
    assert.equal(webhook.received.length, 1);
    const [request] = webhook.received;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, `/hooks/${TOKEN}`);
    assert.equal(request?.headers['content-type'], 'application/json');
    const body = request!.body;
    assert.match(String(body.fingerprint), /^[0-9a-f]{64}$/);
    assert.deepEqual(
      { ...body, fingerprint: '…' },
      {
        kind: 'failure',
        text: `Quire: Orders by region failed (error): cell "load" failed: timeout after 3012 ms https://quire.example.com/runs/${run.id}`,
        notebook: { path: 'orders.nb.md', title: 'Orders by region' },
        run: {
          id: run.id,
          status: 'error',
          trigger: 'schedule',
          attempt: 1,
          startedAt: '2025-01-06T06:00:00.000Z',
          finishedAt: '2025-01-06T06:00:03.000Z',
        },
        link: `https://quire.example.com/runs/${run.id}`,
        error: 'cell "load" failed: timeout after 3012 ms',
        fingerprint: '…',
        repeats: 0,
        sentAt: '2025-01-06T06:00:04.000Z',
      },
    );
    assert.deepEqual(outcomes, ['failure sent']);
  });

  test('without a base URL the link is null', async () => {
    webhook.received.length = 0;
    webhook.statuses = [200];
    const { alerts } = alertsWith({ baseUrl: undefined });
    await alerts.runFinal(await failedRun());
    assert.equal(webhook.received[0]?.body.link, null);
  });

  test('500 twice, then 200: three requests with growing backoff, sent', async () => {
    webhook.received.length = 0;
    webhook.statuses = [500, 500, 200];
    const { alerts, sleeps, outcomes } = alertsWith();
    const run = await failedRun();
    await alerts.runFinal(run);
    assert.equal(webhook.received.length, 3);
    assert.equal(sleeps.length, 2);
    assert.ok(sleeps[0]! >= 800 && sleeps[0]! <= 1200, `first backoff ${sleeps[0]}`);
    assert.ok(sleeps[1]! >= 1600 && sleeps[1]! <= 2400, `second backoff ${sleeps[1]}`);
    assert.deepEqual(outcomes, ['failure sent']);
    assert.equal((await alertState(store.db, run.path))?.lastOutcome, 'sent');
  });

  test('429 waits for Retry-After; 400 is not retried', async () => {
    webhook.received.length = 0;
    webhook.statuses = [429, 204];
    webhook.headers = { 'retry-after': '7' };
    const first = alertsWith();
    await first.alerts.runFinal(await failedRun());
    webhook.headers = {};
    assert.equal(webhook.received.length, 2);
    assert.deepEqual(first.sleeps, [7000]);
    assert.deepEqual(first.outcomes, ['failure sent']);

    webhook.received.length = 0;
    webhook.statuses = [400];
    const second = alertsWith();
    await second.alerts.runFinal(await failedRun());
    assert.equal(webhook.received.length, 1);
    assert.deepEqual(second.sleeps, []);
    assert.deepEqual(second.outcomes, ['failure failed']);
    assert.equal(second.logs.find((l) => l.level === 'warn')?.reason, 'HTTP 400');
  });

  test('a webhook that is down: retries exhausted, runFinal resolves, failed; no re-send within the window', async () => {
    const down = new Webhook();
    const downUrl = await down.start();
    await down.stop(); // nothing listens on that port any more: connection refused
    const { alerts, sleeps, outcomes, logs } = alertsWith({ url: downUrl, retries: 3 });
    const run = await failedRun();
    await alerts.runFinal(run);
    assert.equal(sleeps.length, 3, 'four attempts, three waits');
    assert.deepEqual(outcomes, ['failure failed']);
    const warning = logs.find((l) => l.level === 'warn');
    assert.equal(warning?.attempts, 4);
    assert.equal(warning?.reason, 'ECONNREFUSED');
    assert.ok(!JSON.stringify(logs).includes(TOKEN), 'the webhook URL is a credential');
    assert.equal(String(warning?.webhook), new URL(downUrl).origin);
    // the run itself is untouched
    assert.equal((await store.get(run.id))?.status, 'error');
    const state = await alertState(store.db, run.path);
    assert.equal(state?.failing, true);
    assert.equal(state?.lastOutcome, 'failed');
    // the mark stays: the next identical failure within the window is deduplicated, not retried
    await alerts.runFinal(await failedRun(run.path));
    assert.deepEqual(outcomes, ['failure failed', 'failure deduplicated']);
  });

  test('a webhook that never answers times out per attempt', async () => {
    webhook.received.length = 0;
    webhook.statuses = ['hang'];
    const { alerts, outcomes, logs } = alertsWith({ timeoutMs: 150, retries: 1 });
    await alerts.runFinal(await failedRun());
    assert.equal(webhook.received.length, 2);
    assert.deepEqual(outcomes, ['failure failed']);
    assert.equal(logs.find((l) => l.level === 'warn')?.reason, 'no response within 150 ms');
    webhook.statuses = [204];
  });

  test('two runFinal calls for one notebook at once: one POST', async () => {
    webhook.received.length = 0;
    webhook.statuses = [204];
    const a = alertsWith();
    const b = alertsWith();
    const path = `n${++n}.nb.md`;
    const [r1, r2] = [await failedRun(path), await failedRun(path)];
    await Promise.all([a.alerts.runFinal(r1), b.alerts.runFinal(r2)]);
    assert.equal(webhook.received.length, 1);
    assert.deepEqual([...a.outcomes, ...b.outcomes].sort(), ['failure deduplicated', 'failure sent']);
  });

  describe('on PostgreSQL, two servers with their own pools', () => {
    let database: TestDatabase;
    let server1: RunStore;
    let server2: RunStore;

    before(async () => {
      database = await createTestDatabase();
      server1 = await openStore({ workspace, url: database.url });
      server2 = await openStore({ workspace, url: database.url });
    });
    after(async () => {
      await server1.close();
      await server2.close();
      await database.drop();
    });

    test('concurrent failures then concurrent successes: one failure POST, one recovered POST', async () => {
      webhook.received.length = 0;
      webhook.statuses = [204];
      const make = (db: RunStore) => alertsWith({}, { db: db.db }).alerts;
      const path = 'shared.nb.md';
      const runs: StoredRun[] = [];
      for (const [i, status] of (
        ['error', 'error', 'error', 'error', 'ok', 'ok', 'ok', 'ok'] as const
      ).entries()) {
        const run = await server1.create({
          path,
          source: SOURCE,
          trigger: 'schedule',
          params: {},
          status: 'running',
          now: 1000 + i,
        });
        assert.ok(run);
        await server1.finish(run.id, 1, {
          status,
          error: status === 'error' ? 'boom 1' : undefined,
          now: 2000 + i,
        });
        runs.push((await server1.get(run.id))!);
      }
      const alerts = [make(server1), make(server2), make(server1), make(server2)];
      await Promise.all(runs.slice(0, 4).map((run, i) => alerts[i]!.runFinal(run)));
      assert.deepEqual(
        webhook.received.map((r) => r.body.kind),
        ['failure'],
      );
      await Promise.all(runs.slice(4).map((run, i) => alerts[i]!.runFinal(run)));
      assert.deepEqual(
        webhook.received.map((r) => r.body.kind),
        ['failure', 'recovered'],
      );
      assert.equal((await alertState(server2.db, path))?.failing, false);
    });
  });
});
