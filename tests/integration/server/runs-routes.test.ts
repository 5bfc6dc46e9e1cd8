/**
 * `/api/runs` against a real server over a workspace whose runs were recorded by the real CLI
 * (`node bin/quire.js run`, which runs dist/: `npm run build` first) into the embedded store: the
 * list (newest first, per notebook, limited), one run with its record, the report with its own
 * strict policy, the session requirement, unknown runs, paths that leave the workspace, and a
 * server on a PostgreSQL store (`db`).
 */
import assert from 'node:assert/strict';
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunRecord } from '../../../src/runner/record.js';
import { REPORT_CONTENT_SECURITY_POLICY } from '../../../src/server/routes/runs.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import type { Artifact, StoredAttempt, StoredRun } from '../../../src/store/types.js';
import { createTestDatabase } from '../../support/pg-database.js';
import { makeWorkspace, removeWorkspace, runCli } from '../cli/helpers.js';
import { login } from './ws-client.js';

const SALES = `---
title: Sales
params:
  factor: { type: number, default: 2 }
---

# Sales

\`\`\`sql name=sales
select * from (values ('EU', 120), ('US', 340)) as t(region, total)
\`\`\`

\`\`\`ts name=doubled
const doubled = sales.rows.map((r) => ({ ...r, total: Number(r.total) * factor }));
doubled.length
\`\`\`

\`\`\`ts name=chart
vegalite({ data: { values: doubled }, mark: 'bar', encoding: { x: { field: 'region', type: 'nominal' }, y: { field: 'total', type: 'quantitative' } } })
\`\`\`

\`\`\`ts name=page
html\`<p>Total <img src="https://example.com/beacon.png"> done</p>\`
\`\`\`
`;

const FAILING = "# Failing\n\n```ts name=boom\nthrow new Error('no data today');\n```\n";

let ws: string;
let server: RunningServer;
let cookie: string;
const logged: unknown[] = [];

async function quireRun(file: string, ...args: string[]): Promise<RunRecord> {
  const r = await runCli(['run', file, '--json', ...args], { cwd: ws });
  assert.ok(r.record, `quire run ${file}: ${r.stderr}`);
  return r.record;
}

before(async () => {
  ws = makeWorkspace({ 'sales.nb.md': SALES, 'reports/failing.nb.md': FAILING, 'gone.nb.md': FAILING });
  // Recorded by the CLI before the server starts, and one more while it runs (below).
  await quireRun('sales.nb.md');
  await quireRun('reports/failing.nb.md');
  await quireRun('gone.nb.md');
  rmSync(join(ws, 'gone.nb.md'));
  server = await startServer({ workspace: ws, port: 0, logError: (e) => logged.push(e) });
  cookie = await login(server);
});

after(async () => {
  await server.close();
  removeWorkspace(ws);
  assert.deepEqual(logged, [], 'no unexpected server error');
});

const get = (path: string, withCookie = true): Promise<Response> =>
  fetch(server.url + path, withCookie ? { headers: { cookie } } : {});

async function json<T>(path: string): Promise<T> {
  const response = await get(path);
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return (await response.json()) as T;
}

const listOf = async (query: string): Promise<StoredRun[]> =>
  (await json<{ runs: StoredRun[] }>(`/api/runs?${query}`)).runs;

test('every route needs the session: 401 without the cookie, also for a report', async () => {
  const [run] = await listOf('path=sales.nb.md');
  for (const path of ['/api/runs?path=sales.nb.md', `/api/runs/${run!.id}`, `/api/runs/${run!.id}/report`]) {
    const response = await get(path, false);
    assert.equal(response.status, 401, path);
    assert.equal(((await response.json()) as { error: string }).error, 'unauthorized');
  }
});

test("the list holds one notebook's runs, newest first, `quire run`'s among them, limited on request", async () => {
  // A run recorded while the server is up: the server reads the same store.
  const latest = await quireRun('sales.nb.md', '-p', 'factor=3');
  const runs = await listOf('path=sales.nb.md');
  assert.equal(runs.length, 2);
  assert.equal(runs[0]!.id, latest.id, 'newest first');
  assert.deepEqual(
    runs.map((r) => [r.path, r.trigger, r.status, r.title]),
    [
      ['sales.nb.md', 'cli', 'ok', 'Sales'],
      ['sales.nb.md', 'cli', 'ok', 'Sales'],
    ],
  );
  assert.deepEqual(runs[0]!.params, { factor: 3 });
  assert.deepEqual(
    (await listOf('path=sales.nb.md&limit=1')).map((r) => r.id),
    [latest.id],
  );
  const failing = await listOf('path=reports/failing.nb.md');
  assert.equal(failing.length, 1);
  assert.equal(failing[0]!.status, 'error');
  assert.match(failing[0]!.error ?? '', /boom.*no data today/);
  // A deleted notebook keeps its history.
  assert.equal((await listOf('path=gone.nb.md')).length, 1);
  // Without a path: every run the user may read.
  assert.equal((await listOf('limit=100')).length, 4);
});

test('one run: the stored run, its attempts and artifacts, and the record with the outputs', async () => {
  const [run] = await listOf('path=reports/failing.nb.md');
  const detail = await json<{
    run: StoredRun;
    attempts: StoredAttempt[];
    artifacts: Artifact[];
    record: RunRecord;
  }>(`/api/runs/${run!.id}`);
  assert.equal(detail.run.id, run!.id);
  assert.deepEqual(
    detail.attempts.map((a) => [a.attempt, a.status]),
    [[1, 'error']],
  );
  const names = detail.artifacts.map((a) => a.name);
  assert.ok(names.includes('record.json') && names.includes('source.nb.md'), names.join(', '));
  assert.equal(detail.record.id, run!.id);
  assert.equal(detail.record.status, 'error');
  const boom = detail.record.cells.find((c) => c.name === 'boom');
  assert.equal(boom?.error?.message, 'no data today');

  const [sales] = await listOf('path=sales.nb.md');
  const salesDetail = await json<{ record: RunRecord }>(`/api/runs/${sales!.id}`);
  const doubled = salesDetail.record.cells.find((c) => c.name === 'doubled');
  assert.deepEqual(doubled?.outputs, [{ mime: 'text/plain', data: '2' }]);
});

test('the report: rendered from the store and kept, self-contained, under a strict policy of its own', async () => {
  const [run] = await listOf('path=sales.nb.md');
  assert.equal(run!.reportSha256, undefined, 'quire run without --out stores no report');
  const response = await get(`/api/runs/${run!.id}/report`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(response.headers.get('content-disposition'), `inline; filename="${run!.id}.html"`);
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.equal(csp, REPORT_CONTENT_SECURITY_POLICY, 'the report policy, not the editor one');
  assert.match(csp, /(^|; )sandbox(;|$)/);
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /script-src/, 'nothing allows a script');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  const html = await response.text();
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<figure class="q-chart"><svg/, 'the chart is inline SVG');
  assert.doesNotMatch(html, /<script/i);
  // The html output's remote image stays in the markup; the policy (img-src data:) never loads it.
  assert.match(html, /example\.com\/beacon\.png/);

  const kept = await json<{ run: StoredRun; artifacts: Artifact[] }>(`/api/runs/${run!.id}`);
  assert.match(kept.run.reportSha256 ?? '', /^[0-9a-f]{64}$/, 'rendered once, then kept');
  assert.ok(kept.artifacts.some((a) => a.name === 'report.html'));
  assert.equal(await (await get(`/api/runs/${run!.id}/report`)).text(), html, 'the kept report');
});

test('the editor policy stays on every other route', async () => {
  const response = await get('/api/runs?path=sales.nb.md');
  assert.doesNotMatch(response.headers.get('content-security-policy') ?? '', /sandbox/);
});

test('an unknown run is a 404 JSON error; a running run has no report yet', async () => {
  for (const path of ['/api/runs/run-nope', '/api/runs/run-nope/report']) {
    const response = await get(path);
    assert.equal(response.status, 404, path);
    assert.equal(((await response.json()) as { error: string }).error, 'not-found');
  }
  const running = await server.store.create({
    path: 'sales.nb.md',
    source: SALES,
    trigger: 'api',
    params: {},
    status: 'running',
    worker: 'test@elsewhere:1',
  });
  const response = await get(`/api/runs/${running!.id}/report`);
  assert.equal(response.status, 404);
  const body = (await response.json()) as { error: string; message: string };
  assert.equal(body.error, 'no-report');
  assert.match(body.message, /is running/);
  const detail = await json<{ record: RunRecord | null }>(`/api/runs/${running!.id}`);
  assert.equal(detail.record, null);
});

test('a path that leaves the workspace, or is not a notebook, is refused like the notebook routes', async () => {
  symlinkSync('/etc', join(ws, 'outside'));
  const cases: [string, number, string][] = [
    ['../sales.nb.md', 400, 'invalid-path'],
    ['/etc/passwd', 400, 'invalid-path'],
    ['%2e%2e/x.nb.md', 400, 'invalid-path'],
    ['reports/../../x.nb.md', 400, 'invalid-path'],
    ['.quire/quire.db', 400, 'invalid-path'],
    ['outside/x.nb.md', 403, 'forbidden-path'],
  ];
  for (const [path, status, error] of cases) {
    const response = await get(`/api/runs?path=${encodeURIComponent(path)}`);
    assert.equal(response.status, status, path);
    assert.equal(((await response.json()) as { error: string }).error, error, path);
  }
  const bad = await get('/api/runs?path=sales.nb.md&limit=0');
  assert.equal(bad.status, 400);
});

test('with `db` (quire serve --db) the history comes from that store: PostgreSQL here', async () => {
  const database = await createTestDatabase();
  try {
    const recorded = await quireRun('reports/failing.nb.md', '--db', database.url);
    const other = await startServer({
      workspace: ws,
      port: 0,
      db: database.url,
      logError: (e) => logged.push(e),
    });
    try {
      const otherCookie = await login(other);
      const response = await fetch(`${other.url}/api/runs?path=reports/failing.nb.md`, {
        headers: { cookie: otherCookie },
      });
      const { runs } = (await response.json()) as { runs: StoredRun[] };
      assert.deepEqual(
        runs.map((r) => r.id),
        [recorded.id],
        'only the run recorded in PostgreSQL',
      );
      const report = await fetch(`${other.url}/api/runs/${recorded.id}/report`, {
        headers: { cookie: otherCookie },
      });
      assert.equal(report.status, 200);
      assert.match(await report.text(), /no data today/);
    } finally {
      await other.close();
    }
  } finally {
    await database.drop();
  }
});
