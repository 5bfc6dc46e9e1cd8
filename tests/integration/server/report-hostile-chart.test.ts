/**
 * Opening the report of a run whose chart has an `href` encoding used to end `quire serve` (an
 * unhandled rejection inside vega's SVG renderer), with every session and schedule (issue 8). A
 * real `quire run` records the run, a real `quire serve` process (bin/quire.js: `npm run build`
 * first) renders its report on request; the server still answers `GET /api/notebooks`, and an
 * editor session opened before the report still runs cells after it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { cliPath, runCli } from '../cli/helpers.js';
import { makeWorkspace, removeWorkspace, waitFor } from './helpers.js';

const CHARTS = [
  '# Charts',
  '',
  '```ts name=links',
  "vegalite({ data: { values: [{ a: 1, u: 'https://example.com/a' }, { a: 2, u: 'javascript:alert(1)' }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' }, href: { field: 'u' } } })",
  '```',
  '',
].join('\n');

const dir = makeWorkspace({
  'charts.nb.md': CHARTS,
  'other.nb.md': '```ts name=x\nconst x = 6 * 7;\nx\n```\n',
});
chmodSync(dir, 0o755);
after(() => removeWorkspace(dir));

interface Notification {
  type: string;
  cellId?: string;
  status?: string;
}

test('quire serve renders a report with an href chart and stays up', { timeout: 180_000 }, async () => {
  const run = await runCli(['run', 'charts.nb.md'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);

  const child = spawn(process.execPath, [cliPath, 'serve', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve((exitCode = code))),
  );
  try {
    await waitFor(() => /Ctrl-C to stop/.test(out), 30_000);
    const loginUrl = /http:\/\/127\.0\.0\.1:\d+\/login\?token=\S+/.exec(out)?.[0];
    assert.ok(loginUrl, out);
    const origin = new URL(loginUrl).origin;
    const login = await fetch(loginUrl, { redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const get = (path: string) => fetch(origin + path, { headers: { cookie } });

    // An editor session, open across the report.
    const socket = new WebSocket(origin.replace('http', 'ws') + '/ws', { headers: { cookie, origin } });
    const received: Notification[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data)) as Notification));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'open', requestId: '1', path: 'other.nb.md' }));
    socket.send(JSON.stringify({ type: 'runCell', requestId: '2', cellId: 'x' }));
    const oks = () => received.filter((n) => n.type === 'cellStatus' && n.status === 'ok').length;
    await waitFor(() => oks() >= 1, 30_000);

    const runs = (await (await get('/api/runs?path=charts.nb.md')).json()) as { runs: { id: string }[] };
    assert.equal(runs.runs.length, 1, JSON.stringify(runs));
    const report = await get(`/api/runs/${runs.runs[0]!.id}/report`);
    assert.equal(report.status, 200);
    const html = await report.text();
    assert.match(html, /<figure class="q-chart"><svg/);
    assert.match(html, /<a href="https:\/\/example\.com\/a">/);
    assert.doesNotMatch(html, /href="javascript:/i);

    const notebooks = await get('/api/notebooks');
    assert.equal(notebooks.status, 200, 'the server still answers');
    assert.equal(exitCode, undefined, `the server exited: ${err}`);

    socket.send(JSON.stringify({ type: 'runCell', requestId: '3', cellId: 'x' }));
    await waitFor(() => oks() >= 2, 30_000);
    socket.terminate();
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
  }
});
