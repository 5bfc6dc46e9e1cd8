/**
 * The editor's Run all is recorded in the run history (trigger `editor`), with a real server, real
 * `ws` clients and real kernels (dist/: `npm run build` first): the record holds what the clients
 * saw, secrets are redacted as for `quire run`, single-cell runs record nothing, an interrupt ends
 * the run as `interrupted`, inserted cells get the ids a parse of the stored source gives, and a
 * server stopped mid-run still finishes its row.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { hostname } from 'node:os';
import { after, before, test } from 'node:test';
import { parseNotebook } from '../../../src/format/index.js';
import type { RunRecord } from '../../../src/runner/record.js';
import { loadRecord, loadSource } from '../../../src/runner/stored-run.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import type { StoredRun } from '../../../src/store/types.js';
import { makeWorkspace, removeWorkspace } from './helpers.js';
import { login, TestClient } from './ws-client.js';

const DEPS = `---
title: Deps
params:
  n: { type: number, default: 2 }
---

# Deps

\`\`\`ts name=a
const a = 20 * n;
a
\`\`\`

\`\`\`ts name=b
const b = a + 2;
console.log('b is', b);
\`\`\`

Prose with \${b}.
`;

const SECRET_VALUE = 'sk-live-9f8e7d6c5b4a';
const SECRET = `# Secret

\`\`\`ts name=leak
const token = secrets.get('API_TOKEN');
throw new Error('refused token ' + token);
\`\`\`
`;

const SLOW = `# Slow

\`\`\`ts name=first
const first = 1;
first
\`\`\`

\`\`\`ts name=slow
await new Promise((r) => setTimeout(r, 30_000));
const slow = first;
\`\`\`

\`\`\`ts name=last
const last = 3;
last
\`\`\`
`;

let dir: string;
let server: RunningServer;
let cookie: string;
const logged: unknown[] = [];

before(async () => {
  process.env.QUIRE_SECRET_API_TOKEN = SECRET_VALUE;
  dir = makeWorkspace({
    'deps.nb.md': DEPS,
    'secret.nb.md': SECRET,
    'slow.nb.md': SLOW,
    'insert.nb.md': DEPS,
    'cells.nb.md': DEPS,
  });
  // the kernel user (`nobody` when the tests run as root) must read the workspace
  chmodSync(dir, 0o755);
  server = await startServer({ workspace: dir, port: 0, logError: (e) => logged.push(e) });
  cookie = await login(server);
});

after(async () => {
  await server.close();
  removeWorkspace(dir);
  delete process.env.QUIRE_SECRET_API_TOKEN;
  assert.deepEqual(logged, [], 'no unexpected server error');
});

type Note = Record<string, unknown>;
const statusOf = (cellId: string, status: string) => (n: Note) =>
  n.type === 'cellStatus' && n.cellId === cellId && n.status === status;
const recorded = (status: string) => (n: Note) => n.type === 'runRecorded' && n.status === status;

async function runsOf(path: string): Promise<StoredRun[]> {
  const response = await fetch(`${server.url}/api/runs?path=${encodeURIComponent(path)}`, {
    headers: { cookie },
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { runs: StoredRun[] }).runs;
}

async function recordOf(id: string): Promise<RunRecord> {
  const response = await fetch(`${server.url}/api/runs/${id}`, { headers: { cookie } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { record: RunRecord }).record;
}

test('runCell and runStale are exploration: nothing is recorded', async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'cells.nb.md' });
  client.send({ type: 'runCell', cellId: 'a' });
  await client.until(statusOf('b', 'ok'));
  await client.request({ type: 'setParams', values: { n: 3 } });
  const mark = client.mark();
  client.send({ type: 'runStale' });
  await client.until(statusOf('b', 'ok'), { after: mark });
  await client.settled('cells.nb.md');
  // A Run all after them is recorded, and the session's store writes are chained: once its final
  // row is announced, a row of the runs before it would be in the store.
  const marker = client.mark();
  client.send({ type: 'runAll' });
  const runAll = await client.until(recorded('ok'), { after: marker });
  assert.deepEqual(
    (await runsOf('cells.nb.md')).map((run) => run.id),
    [runAll.runId],
  );
  const announced = client.received.filter((n) => n.type === 'runRecorded').map((n) => n.runId);
  assert.deepEqual(new Set(announced), new Set([runAll.runId]));
  await client.close();
});

test("Run all is one 'editor' run: running, then ok, announced to every client, with the outputs they saw", async () => {
  const one = await TestClient.connect(server, cookie);
  const two = await TestClient.connect(server, cookie);
  await one.request({ type: 'open', path: 'deps.nb.md' });
  await two.request({ type: 'open', path: 'deps.nb.md' });
  await one.request({ type: 'setParams', values: { n: 5 } });
  const mark = one.mark();
  one.send({ type: 'runAll' });
  const running = await one.until(recorded('running'), { after: mark });
  const done = await one.until(recorded('ok'), { after: mark });
  assert.equal(done.runId, running.runId);
  await two.until((n) => n.type === 'runRecorded' && n.runId === done.runId && n.status === 'ok');

  const [run] = await runsOf('deps.nb.md');
  assert.equal(run?.id, done.runId);
  assert.equal(run?.trigger, 'editor');
  assert.equal(run?.status, 'ok');
  assert.equal(run?.title, 'Deps');
  assert.deepEqual(run?.params, { n: 5 }, "the session's params");
  assert.equal(run?.worker, `server@${hostname()}:${process.pid}`);
  assert.equal(run?.error, undefined);
  assert.ok((run?.durationMs ?? -1) >= 0);

  const record = await recordOf(run!.id);
  assert.equal(record.status, 'ok');
  assert.equal(record.notebook.path, 'deps.nb.md');
  assert.deepEqual(record.params, { n: 5 });
  // Every cell's outputs as the clients received them over the socket.
  const seen = (cellId: string) =>
    one.received
      .slice(mark)
      .filter((n) => n.type === 'cellOutput' && n.cellId === cellId)
      .map((n) => n.output);
  for (const cell of record.cells) {
    assert.equal(cell.status, 'ok', cell.id);
    assert.deepEqual(cell.outputs, seen(cell.id), `outputs of ${cell.id}`);
  }
  assert.deepEqual(
    record.cells.map((c) => c.id),
    ['a', 'b', 'cell-5'],
  );
  assert.match(JSON.stringify(seen('a')), /100/);
  assert.match(JSON.stringify(seen('b')), /b is 102/);
  // The stored source is the session's text, which the record's cells belong to.
  const store = server.store;
  assert.equal(await loadSource(store, run!), DEPS);
  const report = await fetch(`${server.url}/api/runs/${run!.id}/report`, { headers: { cookie } });
  assert.equal(report.status, 200);
  assert.match(await report.text(), /Prose with 102/);
  await one.close();
  await two.close();
});

test('a secret is redacted from the record as in `quire run`, and only its name is kept', async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'secret.nb.md' });
  const mark = client.mark();
  client.send({ type: 'runAll' });
  const done = await client.until(recorded('error'), { after: mark });
  const [run] = await runsOf('secret.nb.md');
  assert.equal(run?.id, done.runId);
  assert.doesNotMatch(run?.error ?? '', new RegExp(SECRET_VALUE));
  assert.match(run?.error ?? '', /leak.*refused token \[REDACTED\]/);
  const record = await recordOf(run!.id);
  assert.doesNotMatch(JSON.stringify(record), new RegExp(SECRET_VALUE));
  assert.deepEqual(record.secrets, ['API_TOKEN']);
  assert.match(record.cells[0]?.error?.message ?? '', /\[REDACTED\]/);
  const blobs = await loadRecord(server.store, run!);
  assert.doesNotMatch(JSON.stringify(blobs), new RegExp(SECRET_VALUE));
  await client.close();
});

test("an interrupted Run all ends as an error 'interrupted'; the cells it did not reach did not run", async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'slow.nb.md' });
  const mark = client.mark();
  client.send({ type: 'runAll' });
  await client.until(statusOf('slow', 'running'), { after: mark });
  await client.request({ type: 'interrupt' });
  const done = await client.until(recorded('error'), { after: mark });
  const [run] = await runsOf('slow.nb.md');
  assert.equal(run?.id, done.runId);
  assert.equal(run?.status, 'error');
  assert.equal(run?.error, 'interrupted');
  const record = await recordOf(run!.id);
  assert.equal(record.status, 'error');
  const byId = Object.fromEntries(record.cells.map((c) => [c.id, c]));
  assert.equal(byId.first?.status, 'ok');
  assert.equal(byId.slow?.status, 'error', 'stopped where it ran');
  assert.equal(byId.last?.status, 'skipped');
  assert.equal(byId.last?.skippedBecause, 'interrupted');
  assert.deepEqual(byId.last?.outputs, []);
  await client.close();
});

test('cells inserted in the editor get the ids a parse of the stored source gives', async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'insert.nb.md' });
  await client.request({ type: 'insertCell', index: 1, language: 'ts', source: 'const z = 7;\nz' });
  const mark = client.mark();
  client.send({ type: 'runAll' });
  const done = await client.until(recorded('ok'), { after: mark });
  const [run] = await runsOf('insert.nb.md');
  assert.equal(run?.id, done.runId);
  const source = await loadSource(server.store, run!);
  assert.notEqual(source, DEPS, 'the unsaved text is what ran');
  const parsed = parseNotebook(source).notebook.cells.filter(
    (c) => c.kind === 'code' || c.interpolations.length,
  );
  const record = await recordOf(run!.id);
  assert.deepEqual(
    record.cells.map((c) => c.id),
    parsed.map((c) => c.id),
  );
  const inserted = record.cells.find((c) => c.outputs.some((o) => JSON.stringify(o.data).includes('7')));
  assert.ok(inserted, 'the inserted cell is in the record with its output');
  assert.ok(!inserted.id.startsWith('new-'), `a parser id, not the session's: ${inserted.id}`);
  const report = await fetch(`${server.url}/api/runs/${run!.id}/report`, { headers: { cookie } });
  assert.match(await report.text(), /const z = 7;/);
  await client.close();
});

test('a server stopped during a Run all still finishes the run: an error saying why', async () => {
  const own = makeWorkspace({ 'slow.nb.md': SLOW });
  chmodSync(own, 0o755);
  const stopping = await startServer({ workspace: own, port: 0, logError: (e) => logged.push(e) });
  let stopped = false;
  try {
    const client = await TestClient.connect(stopping, await login(stopping));
    await client.request({ type: 'open', path: 'slow.nb.md' });
    client.send({ type: 'runAll' });
    await client.until(statusOf('slow', 'running'));
    await client.until(recorded('running'));
    await stopping.close();
    stopped = true;
    const store = await openStore({ workspace: own });
    try {
      const [run] = await store.list({ path: 'slow.nb.md' });
      assert.equal(run?.status, 'error');
      assert.equal(run?.error, 'the server stopped during the run');
      const record = await loadRecord(store, run!);
      assert.equal(record?.cells.find((c) => c.id === 'first')?.status, 'ok');
    } finally {
      await store.close();
    }
  } finally {
    if (!stopped) await stopping.close();
    removeWorkspace(own);
  }
});
