/**
 * `quire run --out` with charts that attack the host (issue 8): an `href` encoding (which used to
 * end the process in vega's SVG renderer), `data.url` to a file and to a port, and a 10-million-row
 * sequence (a memory bomb for the renderer). The real CLI (bin/quire.js: `npm run build` first)
 * still writes manifest.json and report.html, exits as the cells say (1: one cell throws), and
 * the host neither connects to the port nor opens the file (a FIFO: a writer can open it without
 * blocking only while a reader has it open).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunRecord } from '../../../src/runner/record.js';
import { cell, makeWorkspace, removeWorkspace, runCli } from './helpers.js';
import { fifoHasReader } from '../../support/fifo.js';

let ws: string;
let fifo: string;
let connections = 0;
const listener = createServer((socket) => {
  connections++;
  socket.destroy();
});

function notebook(port: number): string {
  const chart = (spec: string) => `vegalite(${spec})`;
  const point = `mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } }`;
  return [
    '# Hostile charts',
    '',
    '```ts name=links',
    chart(
      `{ data: { values: [{ a: 1, u: 'https://example.com/a' }, { a: 2, u: 'javascript:alert(1)' }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' }, href: { field: 'u' } } }`,
    ),
    '```',
    '',
    '```ts name=local',
    chart(`{ data: { url: 'file://${fifo}' }, ${point} }`),
    '```',
    '',
    '```ts name=remote',
    chart(`{ data: { url: 'http://127.0.0.1:${port}/data.json' }, ${point} }`),
    '```',
    '',
    '```ts name=bomb',
    chart(
      `{ data: { sequence: { start: 0, stop: 10000000 } }, mark: 'point', encoding: { x: { field: 'data', type: 'quantitative' } } }`,
    ),
    '```',
    '',
    '```ts name=fails',
    "throw new Error('this cell fails on purpose');",
    '```',
    '',
    '```ts name=answer',
    'const answer = 6 * 7;',
    'answer',
    '```',
    '',
  ].join('\n');
}

before(async () => {
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  ws = makeWorkspace();
  fifo = join(ws, 'watched.fifo');
  execFileSync('mkfifo', ['-m', '0666', fifo]);
});

after(async () => {
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  removeWorkspace(ws);
});

test(
  'quire run --out survives hostile charts: manifest, report, exit code from the cells',
  { timeout: 180_000 },
  async () => {
    const port = (listener.address() as { port: number }).port;
    writeFileSync(join(ws, 'charts.nb.md'), notebook(port));
    const out = join(ws, 'out');
    const result = await runCli(['run', 'charts.nb.md', '--out', out], { cwd: ws });

    assert.equal(result.code, 1, `exit code (one cell throws): ${result.stderr}`);
    assert.equal(result.signal, null);
    assert.ok(existsSync(join(out, 'manifest.json')), `no manifest.json: ${result.stderr}`);
    assert.ok(existsSync(join(out, 'report.html')), 'no report.html');
    const record = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as RunRecord;
    for (const name of ['links', 'local', 'remote', 'bomb', 'answer'])
      assert.equal(cell(record, name).status, 'ok', name);
    assert.equal(cell(record, 'fails').status, 'error');

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<a href="https:\/\/example\.com\/a">/, 'the safe link is kept');
    assert.doesNotMatch(html, /href="javascript:/i);
    assert.match(html, /chart in cell &quot;local&quot; could not be rendered: could not load file:\/\//);
    assert.match(html, /chart in cell &quot;remote&quot; could not be rendered: could not load http:/);
    assert.match(
      html,
      /chart in cell &quot;bomb&quot; could not be rendered: it (needed more than|took longer)/,
    );
    assert.match(html, /this cell fails on purpose/);
    assert.match(html, /<pre class="q-text">42<\/pre>/, 'cells after the charts are in the report');

    assert.equal(connections, 0, 'the host connected to the port a spec named');
    assert.equal(fifoHasReader(fifo), false, 'the host opened the file a spec named');
  },
);
