// The run store on both dialects: the embedded SQLite file and a fresh PostgreSQL database on
// 127.0.0.1:5432. The same suite runs on each, so the queries stay in their shared subset.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { migrate } from '../../../src/store/migrations.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';

const SOURCE = '# t\n\n```ts\n1\n```\n';

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`run store on ${dialect}`, () => {
    let store: RunStore;
    let workspace: string;
    let database: TestDatabase | undefined;

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'quire-store-'));
      if (dialect === 'postgres') database = await createTestDatabase();
      store = await openStore({ workspace, ...(database ? { url: database.url } : {}) });
    });
    after(async () => {
      await store.close();
      await database?.drop();
      rmSync(workspace, { recursive: true, force: true });
    });

    test('migrations are applied once; a second open applies none', async () => {
      assert.deepEqual(await migrate(store.db), []);
    });

    test('a run created running, then finished, with its artifacts', async () => {
      const run = await store.create({
        path: 'a.nb.md',
        source: SOURCE,
        trigger: 'cli',
        params: { region: 'EU', n: 3 },
        status: 'running',
        worker: 'cli@h:1',
        now: 1000,
      });
      assert.ok(run);
      assert.equal(run.status, 'running');
      assert.equal(run.attempt, 1);
      assert.equal(run.startedAt, 1000);
      assert.deepEqual(run.params, { region: 'EU', n: 3 });
      assert.equal((await store.blobs.get(run.sha256)).toString(), SOURCE);
      const report = await store.blobs.put('<html></html>');
      const ok = await store.finish(run.id, 1, {
        status: 'ok',
        durationMs: 12.5,
        reportSha256: report.sha256,
        artifacts: [{ name: 'report.html', ...report, mime: 'text/html' }],
        metrics: { rmse: 0.25 },
        now: 2000,
      });
      assert.equal(ok, true);
      const done = await store.get(run.id);
      assert.equal(done?.status, 'ok');
      assert.equal(done?.durationMs, 12.5);
      assert.equal(done?.finishedAt, 2000);
      assert.deepEqual(done?.metrics, { rmse: 0.25 });
      assert.deepEqual(
        (await store.artifacts(run.id)).map((a) => a.name),
        ['report.html', 'source.nb.md'],
      );
      assert.deepEqual(
        (await store.attempts(run.id)).map((a) => [a.attempt, a.status, a.finishedAt]),
        [[1, 'ok', 2000]],
      );
      // a second finish of the same attempt is refused: one final record per run
      assert.equal(await store.finish(run.id, 1, { status: 'error', error: 'late' }), false);
      assert.equal((await store.get(run.id))?.status, 'ok');
    });

    test('claim, lease expiry, retry by another worker, and the dead attempt fenced off', async () => {
      const run = await store.create({
        path: 'q.nb.md',
        source: SOURCE,
        trigger: 'submit',
        params: {},
        maxAttempts: 2,
        now: 10_000,
      });
      assert.ok(run);
      assert.equal(run.status, 'queued');
      const first = await store.claim(run.id, 'worker@a:1', 5_000, 10_000);
      assert.equal(first, 1);
      assert.equal(await store.claim(run.id, 'worker@b:2', 5_000, 10_001), undefined, 'taken once');
      assert.equal(await store.heartbeat(run.id, 1, 5_000, 12_000), true);
      // worker a stops renewing; the lease (until 17 000) passes
      assert.deepEqual((await store.expireLeases(16_000)).requeued, []);
      const lost = await store.expireLeases(17_001);
      assert.deepEqual(
        lost.requeued.map((r) => r.id),
        [run.id],
      );
      const second = await store.claim(run.id, 'worker@b:2', 5_000, 17_002);
      assert.equal(second, 2);
      // the dead attempt comes back and tries to write: refused
      assert.equal(await store.heartbeat(run.id, 1, 5_000, 17_003), false);
      assert.equal(await store.finish(run.id, 1, { status: 'ok' }), false);
      assert.equal(await store.finish(run.id, 2, { status: 'ok', now: 18_000 }), true);
      const attempts = await store.attempts(run.id);
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.worker, a.status]),
        [
          [1, 'worker@a:1', 'lost'],
          [2, 'worker@b:2', 'ok'],
        ],
      );
    });

    test('the first lost attempt is free; a second loss with no retries left fails the run', async () => {
      const run = await store.create({ path: 'f.nb.md', source: SOURCE, trigger: 'api', params: {}, now: 1 });
      assert.equal(await store.claim(run!.id, 'worker@a:1', 100, 1), 1);
      const first = await store.expireLeases(1_000);
      assert.deepEqual(
        first.requeued.map((r) => r.id),
        [run!.id],
      );
      assert.equal((await store.get(run!.id))?.maxAttempts, 2);
      assert.equal(await store.claim(run!.id, 'worker@b:2', 100, 1_001), 2);
      const second = await store.expireLeases(2_000);
      assert.deepEqual(
        second.failed.map((r) => r.id),
        [run!.id],
      );
      const after = await store.get(run!.id);
      assert.equal(after?.status, 'error');
      assert.match(after?.error ?? '', /attempt 2 lost/);
    });

    test('retry waits for its backoff; release hands the run back without using an attempt', async () => {
      const run = await store.create({
        path: 'r.nb.md',
        source: SOURCE,
        trigger: 'schedule',
        params: {},
        maxAttempts: 3,
        now: 0,
      });
      const id = run!.id;
      assert.equal(await store.claim(id, 'w@h:1', 1000, 0), 1);
      assert.equal(await store.retry(id, 1, 5_000, 'boom', 10), true);
      assert.equal(await store.claim(id, 'w@h:1', 1000, 4_999), undefined, 'not before the backoff');
      assert.deepEqual((await store.due(4_999)).map((r) => r.id).includes(id), false);
      assert.equal(await store.claim(id, 'w@h:1', 1000, 5_000), 2);
      assert.equal(await store.release(id, 2, 5_001), true);
      const released = await store.get(id);
      assert.equal(released?.status, 'queued');
      assert.equal(released?.maxAttempts, 4);
      assert.equal(await store.claim(id, 'w@h:2', 1000, 5_002), 3);
      assert.deepEqual(
        (await store.attempts(id)).map((a) => a.status),
        ['error', 'released', 'running'],
      );
    });

    test('a schedule key admits one run per slot', async () => {
      const key = 'daily.nb.md@2026-11-26T05:00:00.000Z';
      const a = await store.create({
        path: 'd',
        source: SOURCE,
        trigger: 'schedule',
        params: {},
        scheduleKey: key,
      });
      const b = await store.create({
        path: 'd',
        source: SOURCE,
        trigger: 'schedule',
        params: {},
        scheduleKey: key,
      });
      assert.ok(a);
      assert.equal(b, undefined);
    });

    test('concurrent claims of one run: exactly one wins', async () => {
      const run = await store.create({ path: 'c', source: SOURCE, trigger: 'api', params: {} });
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.claim(run!.id, `w@h:${i}`, 1000)),
      );
      assert.equal(results.filter((r) => r !== undefined).length, 1);
    });

    test('a local process that died leaves no run running', async () => {
      const run = await store.create({
        path: 'k',
        source: SOURCE,
        trigger: 'cli',
        params: {},
        status: 'running',
        worker: 'cli@thishost:999999',
      });
      const other = await store.create({
        path: 'k',
        source: SOURCE,
        trigger: 'cli',
        params: {},
        status: 'running',
        worker: 'cli@otherhost:999999',
      });
      const reaped = await store.reapDeadLocal('thishost', () => false);
      assert.deepEqual(
        reaped.failed.map((r) => r.id),
        [run!.id],
        'a quire run that died has nobody to run it again',
      );
      assert.equal(
        (await store.get(other!.id))?.status,
        'running',
        'another machine’s run is left to its lease',
      );
    });

    test('find by id, by unique prefix or tail; an ambiguous prefix names the candidates', async () => {
      const run = await store.create({
        path: 'p',
        source: SOURCE,
        trigger: 'cli',
        params: {},
        id: 'run-x-abc123',
      });
      await store.create({ path: 'p', source: SOURCE, trigger: 'cli', params: {}, id: 'run-x-abd999' });
      assert.equal((await store.find('run-x-abc123'))?.id, run!.id);
      assert.equal((await store.find('abc123'))?.id, run!.id);
      assert.equal((await store.find('run-x-abc'))?.id, run!.id);
      await assert.rejects(store.find('run-x-ab'), /matches several runs: run-x-ab/);
      assert.equal(await store.find('nope'), undefined);
    });

    test('list filters by notebook and sweep, newest first', async () => {
      for (const [i, path] of ['s1', 's2', 's1'].entries()) {
        await store.create({
          path,
          source: SOURCE,
          trigger: 'sweep',
          params: { i },
          sweepId: 'sw-1',
          now: 100 + i,
        });
      }
      const s1 = await store.list({ path: 's1' });
      assert.deepEqual(
        s1.map((r) => r.params.i),
        [2, 0],
      );
      assert.equal((await store.list({ sweepId: 'sw-1' })).length, 3);
    });

    test('list pages with a `before` cursor: each run once, newest first, ties on created_at by id', async () => {
      // Two runs share each instant, so the cursor has to break ties by id.
      for (let i = 0; i < 7; i++) {
        await store.create({
          path: 'paged.nb.md',
          source: SOURCE,
          trigger: 'cli',
          params: { i },
          now: 500 + (i >> 1),
        });
      }
      const all = await store.list({ path: 'paged.nb.md' });
      assert.equal(all.length, 7);
      const pages: string[][] = [];
      let before: { createdAt: number; id: string } | undefined;
      // Bounded: a cursor that were ignored would repeat the first page forever.
      while (pages.length < 5) {
        const page = await store.list({ path: 'paged.nb.md', limit: 3, ...(before ? { before } : {}) });
        if (page.length === 0) break;
        pages.push(page.map((r) => r.id));
        const last = page.at(-1)!;
        before = { createdAt: last.createdAt, id: last.id };
      }
      assert.deepEqual(
        pages.map((p) => p.length),
        [3, 3, 1],
      );
      assert.deepEqual(
        pages.flat(),
        all.map((r) => r.id),
      );
    });
  });
}

suite('sqlite');
suite('postgres');
