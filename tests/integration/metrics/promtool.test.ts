/**
 * `/metrics` against real servers, judged by Prometheus's own `promtool check metrics` (Debian
 * package `prometheus`): the server's route (no login; a bearer token when one is configured),
 * cell timings and a kernel crash from a real editor session, and the standalone server of
 * `quire worker --metrics-port`. Any line promtool prints (a lint problem) fails the test.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startMetricsServer } from '../../../src/metrics/http.js';
import { QuireMetrics } from '../../../src/metrics/registry.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { valueOf } from '../../support/prom-text.js';
import { makeWorkspace, removeWorkspace } from '../server/helpers.js';
import { login, TestClient } from '../server/ws-client.js';

const NOTEBOOK =
  '```ts name=quick\nconst quick = 6 * 7;\nquick\n```\n\n```sql name=q\nselect 1 as n\n```\n\n' +
  "```ts name=hang\nconsole.log('started');\nawait new Promise((r) => setTimeout(r, 60_000));\n```\n";

/** Runs promtool on `text`; its exit code and everything it printed. */
function promtool(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

async function assertPromtoolAccepts(text: string): Promise<void> {
  const { code, output } = await promtool(text);
  assert.equal(output.trim(), '', `promtool reported problems:\n${output}`);
  assert.equal(code, 0, `promtool exited with ${code}`);
}

let dir: string;
let server: RunningServer;
const logged: unknown[] = [];

before(async () => {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    assert.fail(
      'promtool is not installed: install the Debian package `prometheus` (apt-get install prometheus); CI installs it',
    );
  }
  delete process.env.QUIRE_METRICS_TOKEN;
  dir = makeWorkspace({ 'm.nb.md': NOTEBOOK });
  // the kernel user (`nobody` when the tests run as root) must read the workspace
  chmodSync(dir, 0o755);
  server = await startServer({ workspace: dir, port: 0, logError: (e) => logged.push(e) });
});

after(async () => {
  await server?.close();
  if (dir) removeWorkspace(dir);
  assert.deepEqual(logged, [], 'no unexpected server error');
});

const scrape = (base: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${base}/metrics`, { headers });

test('GET /metrics needs no login and passes promtool, with runs, alerts and gauges in it', async () => {
  server.metrics.runFinished('schedule', 'ok', 12.5);
  server.metrics.runFinished('manual', 'error', 0.4);
  server.metrics.cellFinished('sql', 0.003);
  server.metrics.scheduleFired(0.25);
  server.metrics.alert('failure', 'sent');
  server.metrics.alert('recovered', 'failed');
  server.metrics.setGauges({ queueDepth: () => 3 });

  const response = await scrape(server.url);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const text = await response.text();
  await assertPromtoolAccepts(text);
  assert.equal(valueOf(text, 'quire_runs_total', { trigger: 'schedule', status: 'ok' }), 1);
  assert.equal(valueOf(text, 'quire_run_duration_seconds_count', { trigger: 'manual' }), 1);
  assert.equal(valueOf(text, 'quire_alerts_total', { kind: 'recovered', outcome: 'failed' }), 1);
  assert.equal(valueOf(text, 'quire_schedule_lag_seconds_count'), 1);
  assert.equal(valueOf(text, 'quire_queue_depth'), 3);
  assert.equal(valueOf(text, 'quire_sessions'), 0);
  assert.equal(valueOf(text, 'quire_kernels'), 0);
  assert.ok(valueOf(text, 'process_resident_memory_bytes')! > 0);

  // The API itself still needs the session: /metrics opened nothing else.
  assert.equal((await fetch(`${server.url}/api/notebooks`)).status, 401);
});

test('an editor session reports cell durations by language, its kernel, and a crash; not an interrupt', async () => {
  const cookie = await login(server);
  const client = await TestClient.connect(server, cookie);
  try {
    await client.request({ type: 'open', path: 'm.nb.md' });
    for (const cellId of ['quick', 'q']) {
      const mark = client.mark();
      client.send({ type: 'runCell', cellId });
      await client.until((n) => n.type === 'cellStatus' && n.cellId === cellId && n.status === 'ok', {
        after: mark,
      });
    }
    let text = await (await scrape(server.url)).text();
    assert.equal(valueOf(text, 'quire_cell_duration_seconds_count', { language: 'ts' }), 1);
    assert.equal(
      valueOf(text, 'quire_cell_duration_seconds_count', { language: 'sql' }),
      2,
      'with the one above',
    );
    assert.equal(valueOf(text, 'quire_sessions'), 1);
    assert.equal(valueOf(text, 'quire_kernels'), 1);

    // An interrupt stops the kernel under the cell on purpose: not a crash.
    let mark = client.mark();
    client.send({ type: 'runCell', cellId: 'hang' });
    await client.until((n) => n.type === 'cellOutput' && n.cellId === 'hang', { after: mark });
    client.send({ type: 'interrupt' });
    await client.until((n) => n.type === 'cellStatus' && n.cellId === 'hang' && n.status === 'error', {
      after: mark,
    });
    text = await (await scrape(server.url)).text();
    assert.equal(valueOf(text, 'quire_kernel_crashes_total'), 0);
    assert.equal(valueOf(text, 'quire_cell_duration_seconds_count', { language: 'ts' }), 2);

    // A kernel killed from outside is one.
    mark = client.mark();
    client.send({ type: 'runCell', cellId: 'hang' });
    await client.until((n) => n.type === 'cellOutput' && n.cellId === 'hang', { after: mark });
    const pid = (await server.notebooks.open('m.nb.md')).kernelPid;
    assert.ok(pid !== undefined, 'the session has a kernel process');
    process.kill(pid, 'SIGKILL');
    await client.until((n) => n.type === 'cellStatus' && n.cellId === 'hang' && n.status === 'error', {
      after: mark,
    });
    text = await (await scrape(server.url)).text();
    assert.equal(valueOf(text, 'quire_kernel_crashes_total'), 1);
    assert.equal(valueOf(text, 'quire_kernels'), 0, 'the dead kernel is not counted');
    await assertPromtoolAccepts(text);
  } finally {
    await client.close();
  }
});

test('with QUIRE_METRICS_TOKEN set, /metrics needs the bearer token', async () => {
  const ws = makeWorkspace();
  process.env.QUIRE_METRICS_TOKEN = 'scrape-me';
  let guarded: RunningServer | undefined;
  try {
    guarded = await startServer({ workspace: ws, port: 0, logError: (e) => logged.push(e) });
    const without = await scrape(guarded.url);
    assert.equal(without.status, 401);
    assert.match(without.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal(((await without.json()) as { error: string }).error, 'unauthorized');
    assert.equal((await scrape(guarded.url, { authorization: 'Bearer wrong' })).status, 401);
    // A login session is not the metrics token.
    assert.equal((await scrape(guarded.url, { cookie: await login(guarded) })).status, 401);
    const ok = await scrape(guarded.url, { authorization: 'Bearer scrape-me' });
    assert.equal(ok.status, 200);
    await assertPromtoolAccepts(await ok.text());
  } finally {
    delete process.env.QUIRE_METRICS_TOKEN;
    await guarded?.close();
    removeWorkspace(ws);
  }
});

test('a token in quire.config.json protects /metrics too', async () => {
  const ws = makeWorkspace({ 'quire.config.json': JSON.stringify({ metrics: { token: 'from-config' } }) });
  const guarded = await startServer({ workspace: ws, port: 0, logError: (e) => logged.push(e) });
  try {
    assert.equal((await scrape(guarded.url)).status, 401);
    assert.equal((await scrape(guarded.url, { authorization: 'Bearer from-config' })).status, 200);
  } finally {
    await guarded.close();
    removeWorkspace(ws);
  }
});

test('the standalone metrics server (quire worker --metrics-port) serves /metrics only', async () => {
  const metrics = new QuireMetrics();
  metrics.runFinished('schedule', 'timeout', 3600);
  metrics.kernelCrashed();
  metrics.setGauges({ kernels: () => 2, queueDepth: () => Promise.reject(new Error('database down')) });
  const open = await startMetricsServer({ port: 0, metrics });
  const guarded = await startMetricsServer({ port: 0, metrics, token: 'worker-token' });
  try {
    const base = `http://127.0.0.1:${open.port}`;
    const response = await scrape(base);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), metrics.contentType);
    const text = await response.text();
    // A failing gauge reads NaN, which promtool accepts; the scrape still answers.
    await assertPromtoolAccepts(text);
    assert.equal(valueOf(text, 'quire_runs_total', { trigger: 'schedule', status: 'timeout' }), 1);
    assert.equal(valueOf(text, 'quire_kernels'), 2);
    assert.ok(Number.isNaN(valueOf(text, 'quire_queue_depth')));

    assert.equal((await fetch(`${base}/metrics?x=1`)).status, 200, 'a query string is ignored');
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/api/notebooks`)).status, 404);
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');

    const guardedBase = `http://127.0.0.1:${guarded.port}`;
    assert.equal((await scrape(guardedBase)).status, 401);
    const ok = await scrape(guardedBase, { authorization: 'Bearer worker-token' });
    assert.equal(ok.status, 200);
    await assertPromtoolAccepts(await ok.text());
  } finally {
    await open.close();
    await guarded.close();
  }
});
