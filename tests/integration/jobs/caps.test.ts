// Quotas with real kernels on the embedded store: 100 runs queued at once against a cap of 4 —
// never more than 4 running, every run ends ok exactly once; a notebook's schedule concurrency of
// 1 serializes its runs; a retried failure waits for its backoff and then succeeds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../../src/jobs/clock.js';
import { loadRecordBlob } from '../../../src/runner/stored-run.js';
import { startJobs, type Jobs } from '../../../src/jobs/start.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import type { StoredAttempt } from '../../../src/store/types.js';
import { makeWorkspace, removeWorkspace, runCli, sleep } from '../cli/helpers.js';

const QUICK = '# Quick\n\n```ts\nconst x = 1;\n```\n';
const SERIAL = `---
schedule: { cron: "0 0 1 1 *", concurrency: 1 }
---

\`\`\`ts
await new Promise((r) => setTimeout(r, 300));
\`\`\`
`;

/** The most attempts that overlapped in time. */
function maxOverlap(attempts: StoredAttempt[]): number {
  const events = attempts.flatMap((a) => [
    [a.startedAt, 1],
    [a.finishedAt ?? Number.POSITIVE_INFINITY, -1],
  ]);
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let current = 0;
  let most = 0;
  for (const [, delta] of events) most = Math.max(most, (current += delta!));
  return most;
}

async function allFinal(store: RunStore, ids: string[], timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await Promise.all(ids.map((id) => store.get(id)));
    if (runs.every((r) => r && !['queued', 'running'].includes(r.status))) return;
    if (Date.now() > deadline) throw new Error('runs did not finish');
    await sleep(100);
  }
}

describe('caps on the embedded store', () => {
  let ws: string;
  let store: RunStore;
  let jobs: Jobs;

  before(async () => {
    ws = makeWorkspace({ 'quick.nb.md': QUICK, 'serial.nb.md': SERIAL });
    store = await openStore({ workspace: ws });
    jobs = await startJobs({
      store,
      workspace: ws,
      worker: 'server@test:1',
      concurrency: 8,
      globalCap: 4,
      clock: systemClock,
    });
  });
  after(async () => {
    await jobs.stop(1000);
    await store.close();
    removeWorkspace(ws);
  });

  test('100 runs queued at once, cap 4: at most 4 at a time, all ok once', async () => {
    const submitted = await Promise.all(
      Array.from({ length: 100 }, () =>
        jobs.service.submit({ path: 'quick.nb.md', source: QUICK, trigger: 'api', params: {} }),
      ),
    );
    const ids = submitted.map((r) => r!.id);
    await allFinal(store, ids);
    const attempts = (await Promise.all(ids.map((id) => store.attempts(id)))).flat();
    const runs = await Promise.all(ids.map((id) => store.get(id)));
    assert.ok(
      runs.every((r) => r?.status === 'ok' && r.attempt === 1),
      'every run ok on its first attempt',
    );
    assert.equal(attempts.length, 100, 'one attempt each');
    const most = maxOverlap(attempts);
    assert.ok(most <= 4, `at most 4 at once, saw ${most}`);
    assert.ok(most >= 2, `runs did overlap (saw ${most})`);
  });

  test('a schedule concurrency of 1 runs one notebook’s runs one at a time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(
        (await jobs.service.submit({ path: 'serial.nb.md', source: SERIAL, trigger: 'api', params: {} }))!.id,
      );
    await allFinal(store, ids);
    const attempts = (await Promise.all(ids.map((id) => store.attempts(id)))).flat();
    assert.equal(maxOverlap(attempts), 1);
  });

  test('a failed run with retries is retried after its backoff and the retry is recorded', async () => {
    const failing = `---\nschedule: { cron: "0 0 1 1 *", retries: 2, backoff: { initial: 200ms, max: 400ms } }\n---\n\n\`\`\`ts\nthrow new Error('always ' + Math.random());\n\`\`\`\n`;
    const run = await jobs.service.submit({
      path: 'failing.nb.md',
      source: failing,
      trigger: 'api',
      params: {},
      maxAttempts: 3,
    });
    await allFinal(store, [run!.id]);
    const final = await store.get(run!.id);
    assert.equal(final?.status, 'error');
    assert.equal(final?.attempt, 3);
    assert.match(final?.error ?? '', /always/);
    const attempts = await store.attempts(run!.id);
    assert.deepEqual(
      attempts.map((a) => a.status),
      ['error', 'error', 'error'],
    );
    // the second attempt started no sooner than half the initial backoff after the first ended
    assert.ok(attempts[1]!.startedAt - attempts[0]!.finishedAt! >= 100);

    // every attempt keeps its own record: the retried ones under attempts/N/, the last is the run's
    assert.equal(attempts[2]!.recordSha256, final?.recordSha256);
    const messages = new Set<string>();
    for (const attempt of attempts) {
      const record = await loadRecordBlob(store, attempt.recordSha256!);
      assert.equal(record.status, 'error');
      const message = record.cells[0]!.error!.message;
      assert.ok(attempt.error?.includes(message), `${attempt.error} names ${message}`);
      messages.add(message);
    }
    assert.equal(messages.size, 3, 'three different random errors: three different records');
    const names = (await store.artifacts(run!.id)).map((a) => a.name);
    for (const name of ['attempts/1/record.json', 'attempts/2/record.json', 'record.json'])
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);

    // the CLI reads an attempt's record from the same store (another process, the SQLite file)
    const first = await runCli(['show', run!.id, '--attempt', '1'], { cwd: ws });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /record +of attempt 1: error/);
    assert.ok(first.stdout.includes(attempts[0]!.error!.split(': ').at(-1)!), first.stdout);
    const missing = await runCli(['show', run!.id, '--attempt', '9'], { cwd: ws });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /has no attempt 9 \(it has 1, 2, 3\)/);
  });
});
