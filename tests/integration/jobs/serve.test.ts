// `quire serve` executes queued and scheduled runs: a schedule with seconds fires on time, the
// HTTP API queues a run (params checked first), and a server killed with SIGKILL mid-run leaves a
// run that the restarted server marks lost and runs again (embedded SQLite store).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { memoryEventSink } from '../../../src/server/events.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import type { StoredRun } from '../../../src/store/types.js';
import { cliPath, makeWorkspace, removeWorkspace, runCli, sleep } from '../cli/helpers.js';
import { withCsrf } from '../server/helpers.js';
import { login } from '../server/ws-client.js';

const EVERY_2S = `---
title: Ticker
params:
  n: { type: integer, default: 2 }
schedule: { cron: "*/2 * * * * *", params: { n: 5 }, catchup: skip }
---

\`\`\`ts
const doubled = n * 2;
\`\`\`
`;
const PARAMS = `---
params:
  region: { type: string, default: EU, enum: [EU, US] }
---

\`\`\`ts
region
\`\`\`
`;
const SLOW = '# Slow\n\n```ts\nawait new Promise((r) => setTimeout(r, 2500));\n```\n';

const isFinal = (run: StoredRun | undefined) =>
  run !== undefined && !['queued', 'running'].includes(run.status);

describe('quire serve runs schedules and queued runs', () => {
  let ws: string;
  let server: RunningServer;
  let cookie: string;
  const events = memoryEventSink();
  before(async () => {
    ws = makeWorkspace({ 'ticker.nb.md': EVERY_2S, 'params.nb.md': PARAMS });
    server = await startServer({ workspace: ws, port: 0, graceMs: 1000, events });
    cookie = await login(server);
  });
  after(async () => {
    await server.close();
    removeWorkspace(ws);
  });

  test('a schedule with seconds fires on time with its params, and its runs succeed', async () => {
    let runs: StoredRun[] = [];
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(200)) {
      runs = (await server.store.list({ path: 'ticker.nb.md', trigger: 'schedule' })).filter((r) =>
        isFinal(r),
      );
      if (runs.length >= 2) break;
    }
    assert.ok(runs.length >= 2, `scheduled runs: ${runs.length}`);
    for (const run of runs) {
      assert.equal(run.status, 'ok', run.error);
      assert.deepEqual(run.params, { n: 5 });
      assert.ok(run.scheduledFor! % 2000 === 0, 'on an even second');
      // trigger lag: created within a second of its slot
      assert.ok(run.createdAt - run.scheduledFor! < 1000, `lag ${run.createdAt - run.scheduledFor!} ms`);
    }
    // A schedule's runs end as events too (trigger schedule, nobody asked for them).
    const scheduled = events.events.filter(
      (e) => e.event === 'run.finished' && e.detail.trigger === 'schedule',
    );
    assert.ok(scheduled.length >= 1, 'run.finished for scheduled runs');
    const metrics = await (await fetch(server.url + '/metrics')).text();
    assert.match(metrics, /quire_runs_total\{trigger="schedule",status="ok"\} [1-9]/);
    assert.match(metrics, /quire_schedule_lag_seconds_count [1-9]/);
  });

  test('POST /api/runs queues a run; bad params are refused naming the param', async () => {
    const post = (body: unknown) =>
      fetch(server.url + '/api/runs', {
        method: 'POST',
        headers: { ...withCsrf(cookie), 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify(body),
      });
    const bad = await post({ path: 'params.nb.md', params: { region: 'MARS' } });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /region/);
    const ok = await post({ path: 'params.nb.md', params: { region: 'US' } });
    assert.equal(ok.status, 202);
    const { run } = (await ok.json()) as { run: StoredRun };
    assert.equal(run.trigger, 'api');
    let final: StoredRun | undefined;
    for (const deadline = Date.now() + 15_000; !isFinal(final) && Date.now() < deadline; await sleep(100))
      final = await server.store.get(run.id);
    assert.equal(final?.status, 'ok', final?.error);
    // Queued by the API, ended in the pool: run.queued (the gate) and run.finished (the queue).
    const about = (name: string) => events.events.find((e) => e.event === name && e.detail.runId === run.id);
    for (const deadline = Date.now() + 5000; !about('run.finished') && Date.now() < deadline;)
      await sleep(20);
    assert.deepEqual(
      [about('run.queued')?.user, about('run.queued')?.action, about('run.queued')?.via],
      ['owner', 'notebook:execute', 'http'],
    );
    const { time: _time, ...finished } = about('run.finished') ?? {};
    assert.deepEqual(finished, {
      event: 'run.finished',
      user: null,
      action: null,
      resource: { kind: 'run', id: run.id, path: 'params.nb.md' },
      outcome: 'ok',
      via: 'queue',
      detail: { runId: run.id, status: 'ok', trigger: 'api', attempt: 1, durationMs: final.durationMs! },
    });
    const outside = await post({ path: '../etc/passwd' });
    assert.ok(outside.status === 400 || outside.status === 403, `status ${outside.status}`);
    // A zero time limit is bad input, as on the command line (it used to mean "no limit").
    const zero = await post({ path: 'params.nb.md', params: { region: 'US' }, timeout: '0s' });
    assert.equal(zero.status, 400);
    assert.match(
      ((await zero.json()) as { message: string }).message,
      /timeout: the limit must be more than zero/,
    );
  });
});

describe('a server killed mid-run (SQLite)', () => {
  let ws: string;
  let child: ChildProcess | undefined;
  before(() => {
    ws = makeWorkspace({ 'slow.nb.md': SLOW });
  });
  after(() => {
    child?.kill('SIGKILL');
    removeWorkspace(ws);
  });

  const serve = () => {
    const started = spawn(process.execPath, [cliPath, 'serve', '.', '--port', '0'], {
      cwd: ws,
      stdio: 'ignore',
    });
    child = started;
    return started;
  };

  test('the restarted server marks the run lost and runs it again; it ends ok once', async () => {
    const submitted = await runCli(['submit', 'slow.nb.md'], { cwd: ws });
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = submitted.stdout.trim();
    const first = serve();
    const store = await openStore({ workspace: ws });
    try {
      let running: StoredRun | undefined;
      for (
        const deadline = Date.now() + 20_000;
        running?.status !== 'running' && Date.now() < deadline;
        await sleep(50)
      )
        running = await store.get(id);
      assert.equal(running?.status, 'running');
      assert.match(running!.worker!, new RegExp(`^server@.+:${first.pid}$`));
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      assert.equal((await store.get(id))?.status, 'running', 'still marked running while no server is up');
      serve();
      let final: StoredRun | undefined;
      for (const deadline = Date.now() + 30_000; !isFinal(final) && Date.now() < deadline; await sleep(100))
        final = await store.get(id);
      assert.equal(final?.status, 'ok', final?.error);
      assert.deepEqual(
        (await store.attempts(id)).map((a) => a.status),
        ['lost', 'ok'],
      );
      assert.equal((await store.artifacts(id)).filter((a) => a.name === 'record.json').length, 1);
    } finally {
      await store.close();
    }
  });
});

describe('alerts from a server', () => {
  test('a run that fails for good posts one alert; the next success posts recovered', async () => {
    const received: { kind: string; notebook: { path: string }; error?: string }[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as (typeof received)[number]);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const flaky = '# Flaky\n\n```ts\nif (FAIL) throw new Error("the data is not there yet");\n```\n';
    const ws = makeWorkspace({
      'quire.config.json': JSON.stringify({
        alerts: { webhook: { urlEnv: 'QUIRE_TEST_ALERT_HOOK' }, baseUrl: 'https://q.example' },
      }),
      'job.nb.md': flaky.replace('FAIL', 'true'),
    });
    process.env.QUIRE_TEST_ALERT_HOOK = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    const server = await startServer({ workspace: ws, port: 0, graceMs: 1000 });
    try {
      const submit = async (source: string) => {
        const run = await server.jobs!.jobs.service.submit({
          path: 'job.nb.md',
          source,
          trigger: 'api',
          params: {},
        });
        let final: StoredRun | undefined;
        for (const deadline = Date.now() + 20_000; !isFinal(final) && Date.now() < deadline; await sleep(100))
          final = await server.store.get(run!.id);
        return final!;
      };
      assert.equal((await submit(flaky.replace('FAIL', 'true'))).status, 'error');
      assert.equal((await submit(flaky.replace('FAIL', 'true'))).status, 'error');
      assert.equal((await submit(flaky.replace('FAIL', 'false'))).status, 'ok');
      // 'recovered' comes from the last run: an alert of the second run would have come before it.
      const recoveredBy = Date.now() + 10_000;
      while (!received.some((m) => m.kind === 'recovered') && Date.now() < recoveredBy) await sleep(50);
      assert.deepEqual(
        received.map((m) => m.kind),
        ['failure', 'recovered'],
        'the second identical failure is deduplicated',
      );
      assert.equal(received[0]!.notebook.path, 'job.nb.md');
      assert.match(received[0]!.error ?? '', /the data is not there yet/);
      const metrics = await (await fetch(server.url + '/metrics')).text();
      assert.match(metrics, /quire_alerts_total\{kind="failure",outcome="deduplicated"\} 1/);
    } finally {
      await server.close();
      delete process.env.QUIRE_TEST_ALERT_HOOK;
      hook.close();
      removeWorkspace(ws);
    }
  });
});
