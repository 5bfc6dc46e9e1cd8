// The scheduler on a controllable clock, against a real SQLite run store: runs appear at their
// slots, downtime is caught up per policy, two schedulers sharing a store create each slot's run
// once, and edited, removed or broken schedules are picked up by reload.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../src/jobs/clock.js';
import { EmbeddedQueue } from '../../../src/jobs/embedded-queue.js';
import { Scheduler, type NotebookSource } from '../../../src/jobs/scheduler.js';
import { JobService } from '../../../src/jobs/service.js';
import { spawnKernel } from '../../../src/kernel/factory.js';
import { EnvSecretSource } from '../../../src/secrets/source.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';

const notebook = (schedule: string, params = 'region: { type: string, default: EU }') =>
  `---\ntitle: Daily\nparams:\n  ${params}\nschedule: ${schedule}\n---\n\n# Daily\n\n\`\`\`ts\nregion\n\`\`\`\n`;

let workspace: string;
let store: RunStore;
before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'quire-scheduler-'));
  store = await openStore({ workspace });
});
after(async () => {
  await store.close();
  rmSync(workspace, { recursive: true, force: true });
});

/** A scheduler whose runs are recorded through a real (not started) job service. */
function scheduler(clock: ManualClock, notebooks: () => NotebookSource[], fired: number[] = []) {
  const queue = new EmbeddedQueue({ store, concurrency: 1, clock });
  const service = new JobService({
    store,
    queue,
    clock,
    worker: 'server@test:1',
    workspace,
    kernels: spawnKernel,
    secrets: new EnvSecretSource(),
  });
  return new Scheduler({
    store,
    clock,
    load: async () => notebooks(),
    submit: (run) => service.submit(run),
    onFired: (_path, _slot, lag) => fired.push(lag),
  });
}

const scheduledRuns = async (path: string) =>
  (await store.list({ path, trigger: 'schedule', limit: 1000 })).sort(
    (a, b) => a.scheduledFor! - b.scheduledFor!,
  );

describe('Scheduler', () => {
  test('creates one queued run per slot, on time, with the schedule params, retries and timeout', async () => {
    const clock = new ManualClock(Date.parse('2026-11-26T05:58:00Z'));
    const fired: number[] = [];
    const s = scheduler(
      clock,
      () => [
        {
          path: 'daily.nb.md',
          source: notebook(
            '{ cron: "0 6 * * *", timezone: UTC, retries: 2, timeout: 5m, params: { region: US } }',
          ),
        },
      ],
      fired,
    );
    await s.start();
    assert.deepEqual(await scheduledRuns('daily.nb.md'), []);
    await clock.advanceTo(Date.parse('2026-11-28T07:00:00Z'));
    const runs = await scheduledRuns('daily.nb.md');
    assert.deepEqual(
      runs.map((r) => new Date(r.scheduledFor!).toISOString()),
      ['2026-11-26T06:00:00.000Z', '2026-11-27T06:00:00.000Z', '2026-11-28T06:00:00.000Z'],
    );
    const [first] = runs;
    assert.equal(first?.status, 'queued');
    assert.deepEqual(first?.params, { region: 'US' });
    assert.equal(first?.maxAttempts, 3);
    assert.equal(first?.timeoutMs, 300_000);
    assert.equal(first?.title, 'Daily');
    assert.equal(first?.createdAt, first?.scheduledFor, 'created at the slot: no lag on the clock');
    assert.deepEqual(fired, [0, 0, 0]);
    s.stop();
  });

  for (const [policy, expected] of [
    ['skip', 0],
    ['latest', 1],
    ['all', 5],
  ] as const) {
    test(`5 hours down, hourly schedule, catchup ${policy}: ${expected} run(s) on restart`, async () => {
      const path = `hourly-${policy}.nb.md`;
      const source = notebook(`{ cron: "0 * * * *", catchup: ${policy} }`);
      const clock = new ManualClock(Date.parse('2026-11-26T00:30:00Z'));
      const first = scheduler(clock, () => [{ path, source }]);
      await first.start();
      await clock.advanceTo(Date.parse('2026-11-26T01:10:00Z'));
      first.stop(); // the server goes down after the 01:00 run
      assert.equal((await scheduledRuns(path)).length, 1);
      await clock.advanceTo(Date.parse('2026-11-26T06:30:00Z')); // 02:00 … 06:00 missed
      const second = scheduler(clock, () => [{ path, source }]);
      await second.start();
      const runs = await scheduledRuns(path);
      assert.equal(runs.length, 1 + expected);
      if (policy === 'latest')
        assert.equal(new Date(runs[1]!.scheduledFor!).toISOString(), '2026-11-26T06:00:00.000Z');
      // and it goes on from there
      await clock.advanceTo(Date.parse('2026-11-26T07:00:00Z'));
      assert.equal((await scheduledRuns(path)).length, 2 + expected);
      second.stop();
    });
  }

  test('two schedulers on one store create each slot’s run once', async () => {
    const path = 'shared.nb.md';
    const source = notebook('{ cron: "*/5 * * * *" }');
    const clock = new ManualClock(Date.parse('2026-11-26T10:01:00Z'));
    const a = scheduler(clock, () => [{ path, source }]);
    const b = scheduler(clock, () => [{ path, source }]);
    await a.start();
    await b.start();
    await clock.advanceTo(Date.parse('2026-11-26T10:21:00Z'));
    const runs = await scheduledRuns(path);
    assert.equal(runs.length, 4);
    assert.equal(new Set(runs.map((r) => r.scheduleKey)).size, 4);
    a.stop();
    b.stop();
  });

  test('reload: an edited cron is re-armed, a removed schedule stops, a broken one is reported', async () => {
    const clock = new ManualClock(Date.parse('2026-11-26T10:00:30Z'));
    let notebooks: NotebookSource[] = [
      { path: 'edit.nb.md', source: notebook('{ cron: "0 * * * *" }') },
      { path: 'gone.nb.md', source: notebook('{ cron: "*/10 * * * *" }') },
    ];
    const s = scheduler(clock, () => notebooks);
    await s.start();
    notebooks = [
      { path: 'edit.nb.md', source: notebook('{ cron: "*/15 * * * *" }') },
      { path: 'broken.nb.md', source: notebook('{ cron: "0 25 * * *" }') },
      { path: 'badparam.nb.md', source: notebook('{ cron: "0 * * * *", params: { region: 7 } }') },
    ];
    await s.reload();
    assert.match(s.errors.get('broken.nb.md') ?? '', /broken\.nb\.md: schedule\.cron: .*hour/);
    assert.match(s.errors.get('badparam.nb.md') ?? '', /badparam\.nb\.md: schedule\.params: .*region/);
    await clock.advanceTo(Date.parse('2026-11-26T10:46:00Z'));
    assert.equal((await scheduledRuns('edit.nb.md')).length, 3, '10:15, 10:30, 10:45');
    assert.equal((await scheduledRuns('gone.nb.md')).length, 0);
    assert.deepEqual(
      s.list().map((e) => e.path),
      ['edit.nb.md'],
    );
    s.stop();
  });
});
