// Alerts against the real store, on both dialects (the embedded SQLite file and a fresh PostgreSQL
// database): dedupe within and after the window with an injected clock, one recovered message,
// cancelled runs ignored. The webhook here is a recording fetch; tests/integration/jobs has the
// real HTTP server.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { AlertConfig } from '../../../src/jobs/alert-config.js';
import { Alerts, alertState, type AlertKind, type AlertOutcome } from '../../../src/jobs/alerts.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import type { StoredRun } from '../../../src/store/types.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const SOURCE = '---\ntitle: Orders\n---\n\n```ts\n1\n```\n';
const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 6, 6, 0, 0);

const config: AlertConfig = {
  url: 'https://hooks.example.com/alert',
  urlSource: 'test',
  windowMs: 60 * MINUTE,
  baseUrl: 'https://quire.example.com',
  timeoutMs: 1000,
  retries: 0,
};

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`alerts on ${dialect}`, () => {
    let store: RunStore;
    let workspace: string;
    let database: TestDatabase | undefined;
    let clock: number;
    let posts: Record<string, unknown>[];
    let outcomes: string[];
    let alerts: Alerts;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-alerts-'));
      if (dialect === 'postgres') database = await createTestDatabase();
      store = await openStore({ workspace, ...(database ? { url: database.url } : {}) });
    });
    after(async () => {
      await store.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });
    beforeEach(() => {
      clock = T0;
      posts = [];
      outcomes = [];
      alerts = new Alerts({
        db: store.db,
        config,
        now: () => clock,
        fetch: (_url, init) => {
          posts.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
          return Promise.resolve(new Response(null, { status: 204 }));
        },
        onSend: (kind: AlertKind, outcome: AlertOutcome) => outcomes.push(`${kind} ${outcome}`),
        log: () => undefined,
      });
    });

    /** A run of `path` that ended `status` now (on the injected clock). */
    async function finished(
      path: string,
      status: 'ok' | 'error' | 'timeout',
      error?: string,
    ): Promise<StoredRun> {
      const run = await store.create({
        path,
        source: SOURCE,
        title: 'Orders',
        trigger: 'schedule',
        params: {},
        status: 'running',
        worker: 'worker@h:1',
        now: clock - 1000,
      });
      assert.ok(run);
      assert.ok(await store.finish(run.id, 1, { status, ...(error ? { error } : {}), now: clock }));
      return (await store.get(run.id))!;
    }

    test('the same failure is deduplicated within the window and alerted again after it', async () => {
      const first = await finished('dedupe.nb.md', 'timeout', 'the run passed its time limit after 3012 ms');
      await alerts.runFinal(first);
      assert.equal(posts.length, 1);
      assert.equal(posts[0]?.kind, 'failure');
      assert.equal(posts[0]?.link, `https://quire.example.com/runs/${first.id}`);

      clock += 30 * MINUTE;
      await alerts.runFinal(
        await finished('dedupe.nb.md', 'timeout', 'the run passed its time limit after 2998 ms'),
      );
      clock += 29 * MINUTE;
      await alerts.runFinal(
        await finished('dedupe.nb.md', 'timeout', 'the run passed its time limit after 3100 ms'),
      );
      assert.equal(posts.length, 1, 'within 60 minutes of the alert: deduplicated');
      assert.equal((await alertState(store.db, 'dedupe.nb.md'))?.suppressed, 2);

      // a different error is a different alert, even within the window
      clock += 1 * MINUTE;
      await alerts.runFinal(
        await finished('dedupe.nb.md', 'error', 'cell "load": table orders does not exist'),
      );
      assert.equal(posts.length, 2);

      // 60 minutes after that alert the same error is sent again, as a reminder
      clock += 60 * MINUTE;
      await alerts.runFinal(
        await finished('dedupe.nb.md', 'error', 'cell "load": table orders does not exist'),
      );
      assert.equal(posts.length, 3);
      assert.equal(posts[2]?.fingerprint, posts[1]?.fingerprint);
      assert.deepEqual(outcomes, [
        'failure sent',
        'failure deduplicated',
        'failure deduplicated',
        'failure sent',
        'failure sent',
      ]);
      const state = await alertState(store.db, 'dedupe.nb.md');
      assert.equal(state?.failing, true);
      assert.equal(state?.failingSince, T0);
      assert.equal(state?.lastOutcome, 'sent');
    });

    test('one recovered message on the next success, then nothing', async () => {
      await alerts.runFinal(await finished('recover.nb.md', 'error', 'boom'));
      clock += 5 * MINUTE;
      const fixed = await finished('recover.nb.md', 'ok');
      await alerts.runFinal(fixed);
      clock += 5 * MINUTE;
      await alerts.runFinal(await finished('recover.nb.md', 'ok'));
      assert.deepEqual(
        posts.map((p) => p.kind),
        ['failure', 'recovered'],
      );
      const recovered = posts[1]!;
      assert.equal(recovered.failingSince, new Date(T0).toISOString());
      assert.deepEqual(recovered.notebook, { path: 'recover.nb.md', title: 'Orders' });
      assert.equal((recovered.run as { id: string }).id, fixed.id);
      assert.equal((await alertState(store.db, 'recover.nb.md'))?.failing, false);

      // failing again right after the recovery is news, whatever the window says
      clock += 1 * MINUTE;
      await alerts.runFinal(await finished('recover.nb.md', 'error', 'boom'));
      assert.deepEqual(
        posts.map((p) => p.kind),
        ['failure', 'recovered', 'failure'],
      );
    });

    test('successes of a notebook that never failed, and cancelled runs, send nothing and store nothing', async () => {
      await alerts.runFinal(await finished('fine.nb.md', 'ok'));
      const queued = await store.create({
        path: 'fine.nb.md',
        source: SOURCE,
        trigger: 'submit',
        params: {},
      });
      assert.ok(queued && (await store.cancelQueued(queued.id, clock)));
      await alerts.runFinal((await store.get(queued.id))!);
      assert.deepEqual(posts, []);
      assert.deepEqual(outcomes, []);
      assert.equal(await alertState(store.db, 'fine.nb.md'), undefined);
    });

    test('a cancelled run neither alerts nor recovers a failing notebook', async () => {
      await alerts.runFinal(await finished('cancel.nb.md', 'error', 'boom'));
      const queued = await store.create({
        path: 'cancel.nb.md',
        source: SOURCE,
        trigger: 'submit',
        params: {},
      });
      assert.ok(queued && (await store.cancelQueued(queued.id, clock)));
      await alerts.runFinal((await store.get(queued.id))!);
      assert.equal(posts.length, 1);
      assert.equal((await alertState(store.db, 'cancel.nb.md'))?.failing, true);
    });

    test('the redactor sees the error before it is fingerprinted or sent', async () => {
      const redacting = new Alerts({
        db: store.db,
        config,
        now: () => clock,
        fetch: (_url, init) => {
          posts.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
          return Promise.resolve(new Response(null, { status: 200 }));
        },
        redact: (text) => text.replaceAll('hunter2', '[REDACTED]'),
        log: () => undefined,
      });
      await redacting.runFinal(await finished('redact.nb.md', 'error', 'login failed for password hunter2'));
      assert.equal(posts[0]?.error, 'login failed for password [REDACTED]');
      assert.ok(!JSON.stringify(posts[0]).includes('hunter2'));
    });
  });
}

suite('sqlite');
suite('postgres');

test('a store that fails does not reach the caller: runFinal resolves, the failure is counted', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'quire-alerts-closed-'));
  try {
    const store = await openStore({ workspace });
    const run = await store.create({
      path: 'x.nb.md',
      source: SOURCE,
      trigger: 'cli',
      params: {},
      status: 'running',
    });
    assert.ok(run && (await store.finish(run.id, 1, { status: 'error', error: 'boom' })));
    const final = (await store.get(run.id))!;
    await store.close();
    const outcomes: string[] = [];
    const logs: string[] = [];
    const alerts = new Alerts({
      db: store.db,
      config,
      fetch: () => Promise.reject(new Error('must not be called')),
      onSend: (kind, outcome) => outcomes.push(`${kind} ${outcome}`),
      log: (entry) => logs.push(entry.message),
    });
    await alerts.runFinal(final);
    await alerts.drain();
    assert.deepEqual(outcomes, ['failure failed']);
    assert.deepEqual(logs, ['alert not handled: the store failed']);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
