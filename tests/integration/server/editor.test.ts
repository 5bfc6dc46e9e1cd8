/**
 * The editor's WebSocket sessions against a real server, real `ws` clients and real kernels
 * (dist/: `npm run build` first): open, edit and run with exactly the dependents re-running, two
 * clients on one session, reconnecting mid-run, minimal-diff saves and conflicts, changes on disk,
 * malformed messages, upgrade refusals, a crashing kernel, raw mode and idle kernels.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { BROKEN, makeWorkspace, removeWorkspace, sleep, waitFor } from './helpers.js';
import { login, TestClient, wsUrl } from './ws-client.js';

const DEPS =
  '# Deps\n\n```ts name=a\nconst a = 1;\n```\n\nSome prose.\n\n' +
  '```ts name=b\nconst b = a + 1;\nb\n```\n\n```ts name=c\nconst c = 100;\nc\n```\n';
const SLOW =
  "```ts name=slow\nawait new Promise((r) => setTimeout(r, 3000));\nconst done = 'finished';\ndone\n```\n";
const CRASH = '```ts name=boom\nprocess.exit(3);\n```\n\n```ts name=fine\nconst fine = 41 + 1;\nfine\n```\n';

let dir: string;
let server: RunningServer;
let cookie: string;
const logged: unknown[] = [];

before(async () => {
  dir = kernelWorkspace({
    'deps.nb.md': DEPS,
    'slow.nb.md': SLOW,
    'crash.nb.md': CRASH,
    'broken.nb.md': BROKEN,
    'disk.nb.md': DEPS,
  });
  server = await startServer({
    workspace: dir,
    port: 0,
    watchIntervalMs: 100,
    logError: (e) => logged.push(e),
  });
  cookie = await login(server);
});

after(async () => {
  await server.close();
  removeWorkspace(dir);
  assert.deepEqual(logged, [], 'no unexpected server error');
});

/** A workspace the kernel user (`nobody` when the tests run as root) can read. */
function kernelWorkspace(files: Record<string, string>): string {
  const made = makeWorkspace(files);
  chmodSync(made, 0o755);
  return made;
}

const statusOf = (cellId: string, status: string) => (n: Record<string, unknown>) =>
  n.type === 'cellStatus' && n.cellId === cellId && n.status === status;

test('open, edit and run: the cell and exactly its dependents re-run; two clients share the state; save is a minimal diff', async () => {
  const one = await TestClient.connect(server, cookie);
  const two = await TestClient.connect(server, cookie);
  const snap = await one.request({ type: 'open', path: 'deps.nb.md' });
  assert.equal(snap.type, 'snapshot');
  assert.deepEqual(
    (snap.cells as { id: string; kind: string }[]).map((c) => [c.id, c.kind]),
    [
      ['cell-1', 'prose'],
      ['a', 'code'],
      ['cell-3', 'prose'],
      ['b', 'code'],
      ['cell-5', 'prose'],
      ['c', 'code'],
    ],
  );
  assert.equal(snap.text, DEPS);
  assert.equal(snap.dirty, false);
  await two.request({ type: 'open', path: 'deps.nb.md' });

  one.send({ type: 'runAll' });
  await one.until(statusOf('c', 'ok'));
  await one.until(statusOf('b', 'ok'));

  const mark = one.mark();
  const markTwo = two.mark();
  const ack = await one.request({ type: 'editCell', cellId: 'a', source: 'const a = 5;' });
  assert.equal(ack.type, 'ack');
  const seen = await two.until((n) => n.type === 'cellSource', { after: markTwo });
  assert.deepEqual([seen.cellId, seen.source, seen.dirty], ['a', 'const a = 5;', true]);
  one.send({ type: 'runCell', cellId: 'a' });
  await one.until(statusOf('b', 'ok'), { after: mark });
  await one.settled('deps.nb.md');
  const ran = one.received
    .slice(mark)
    .filter((n) => n.type === 'cellStatus' && n.status === 'running')
    .map((n) => n.cellId);
  assert.deepEqual(ran, ['a', 'b'], 'a and its dependent b re-ran, c did not');
  const outputB = one.received.slice(mark).filter((n) => n.type === 'cellOutput' && n.cellId === 'b');
  assert.match(JSON.stringify(outputB), /6/);
  // the second client saw the same run, and both get the same snapshot
  await two.until(statusOf('b', 'ok'), { after: markTwo });
  const s1 = await one.request({ type: 'open', path: 'deps.nb.md' });
  const s2 = await two.request({ type: 'open', path: 'deps.nb.md' });
  assert.deepEqual({ ...s1, requestId: 'x' }, { ...s2, requestId: 'x' });
  const cellC = (s1.cells as { id: string; status: string; outputs: unknown[] }[]).find((c) => c.id === 'c');
  assert.equal(cellC?.status, 'ok');
  assert.match(JSON.stringify(cellC?.outputs), /100/);

  // save: only the edited cell's bytes change
  const saved = await one.request({ type: 'save', baseVersion: snap.version });
  assert.equal(saved.type, 'saved');
  const onDisk = readFileSync(join(dir, 'deps.nb.md'), 'utf8');
  assert.equal(onDisk, DEPS.replace('const a = 1;', 'const a = 5;'));
  await two.until((n) => n.type === 'saved');

  // a stale save is a conflict and writes nothing
  await one.request({ type: 'editCell', cellId: 'c', source: 'const c = 7;\nc' });
  const conflict = await one.request({ type: 'save', baseVersion: snap.version });
  assert.equal(conflict.type, 'conflict');
  assert.equal(conflict.currentVersion, saved.version);
  assert.equal(readFileSync(join(dir, 'deps.nb.md'), 'utf8'), onDisk);
  await one.close();
  await two.close();
});

test('insert, move and delete cells keep ids stable and the file minimal', async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'disk.nb.md' });
  const start = client.mark();
  const ins = await client.request({
    type: 'insertCell',
    index: 6,
    language: 'ts',
    source: 'const d = c * 2;\nd',
  });
  assert.equal(ins.type, 'ack');
  const snap = await client.until((n) => n.type === 'snapshot', { after: start });
  const ids = (snap.cells as { id: string }[]).map((c) => c.id);
  assert.deepEqual(ids, ['cell-1', 'a', 'cell-3', 'b', 'cell-5', 'c', 'new-7']);
  const moved = await client.request({ type: 'moveCell', cellId: 'new-7', index: 5 });
  assert.equal(moved.type, 'ack');
  const movedBack = await client.request({ type: 'moveCell', cellId: 'new-7', index: 6 });
  assert.equal(movedBack.type, 'ack');
  assert.ok((snap.text as string).startsWith(DEPS));
  const err = await client.request({ type: 'deleteCell', cellId: 'a' });
  assert.equal(err.type, 'error', 'deleting the code cell between two prose cells would merge them');
  const mark = client.mark();
  client.send({ type: 'runCell', cellId: 'new-7' });
  await client.until(statusOf('new-7', 'ok'), { after: mark });
  assert.match(JSON.stringify(client.received.slice(mark).filter((n) => n.type === 'cellOutput')), /200/);
  await client.request({ type: 'deleteCell', cellId: 'new-7' });
  const back = await client.request({ type: 'open', path: 'disk.nb.md' });
  assert.equal(back.text, DEPS);
  assert.equal(back.dirty, false);
  await client.close();
});

test('a file changed on disk gives a new snapshot when the session has no unsaved edits', async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'disk.nb.md' });
  const mark = client.mark();
  const changed = DEPS.replace('const c = 100;', 'const c = 300;');
  writeFileSync(join(dir, 'disk.nb.md'), changed);
  const snap = await client.until((n) => n.type === 'snapshot', { after: mark, ms: 10_000 });
  assert.equal(snap.text, changed);
  // with unsaved edits it only says so
  await client.request({ type: 'editCell', cellId: 'a', source: 'const a = 9;' });
  const mark2 = client.mark();
  writeFileSync(join(dir, 'disk.nb.md'), DEPS);
  const note = await client.until((n) => n.type === 'externalChange' || n.type === 'snapshot', {
    after: mark2,
    ms: 10_000,
  });
  assert.equal(note.type, 'externalChange');
  await client.close();
});

test('a client that disconnects mid-run gets the finished output when it reconnects', async () => {
  const first = await TestClient.connect(server, cookie);
  await first.request({ type: 'open', path: 'slow.nb.md' });
  first.send({ type: 'runCell', cellId: 'slow' });
  await first.until(statusOf('slow', 'running'));
  await first.close();
  await sleep(3500);
  const second = await TestClient.connect(server, cookie);
  let cell: { status: string; outputs: unknown[] } | undefined;
  for (let i = 0; i < 50; i++) {
    const snap = await second.request({ type: 'open', path: 'slow.nb.md' });
    cell = (snap.cells as { status: string; outputs: unknown[] }[])[0];
    if (cell?.status === 'ok') break;
    await sleep(200);
  }
  assert.equal(cell?.status, 'ok');
  assert.match(JSON.stringify(cell?.outputs), /finished/);
  await second.close();
});

test('malformed and schema-invalid messages get an error; the connection and session survive', async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'deps.nb.md' });
  let mark = client.mark();
  client.sendRaw('{not json');
  const bad = await client.until((n) => n.type === 'error', { after: mark });
  assert.match(bad.message as string, /not valid JSON/);
  mark = client.mark();
  client.sendRaw(JSON.stringify({ type: 'runCell', requestId: 'q1' }));
  const invalid = await client.until((n) => n.type === 'error', { after: mark });
  assert.equal(invalid.requestId, 'q1');
  assert.match(invalid.message as string, /cellId/);
  const unknown = await client.request({ type: 'runCell', cellId: 'nope' });
  assert.equal(unknown.type, 'error');
  const escape = await client.request({ type: 'open', path: '../etc/passwd.nb.md' });
  assert.equal(escape.type, 'error');
  const ok = await client.request({ type: 'runCell', cellId: 'c' });
  assert.equal(ok.type, 'ack');
  await client.until(statusOf('c', 'ok'), { after: mark });
  await client.close();
});

test('upgrade without the session cookie is 401, from a foreign Origin 403', async () => {
  const statusFor = (headers: Record<string, string>): Promise<number> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl(server), { headers });
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => reject(new Error('the upgrade was accepted')));
      socket.once('error', () => undefined);
    });
  assert.equal(await statusFor({ origin: server.url }), 401);
  assert.equal(await statusFor({ origin: server.url, cookie: 'quire_session_1=forged' }), 401);
  assert.equal(await statusFor({ origin: 'http://evil.example', cookie }), 403);
  assert.equal(await statusFor({ cookie }), 403, 'an upgrade must carry an Origin');
});

test('a cell that exits the kernel fails alone; the next run gets a new kernel', async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'crash.nb.md' });
  client.send({ type: 'runCell', cellId: 'boom' });
  const failed = await client.until(statusOf('boom', 'error'));
  assert.ok(failed.error);
  const mark = client.mark();
  client.send({ type: 'runCell', cellId: 'fine' });
  await client.until(statusOf('fine', 'ok'), { after: mark });
  assert.match(JSON.stringify(client.received.slice(mark).filter((n) => n.type === 'cellOutput')), /42/);
  await client.close();
});

test('a notebook that does not parse opens in raw mode; saveRaw fixes it', async () => {
  const client = await TestClient.connect(server, cookie);
  const snap = await client.request({ type: 'open', path: 'broken.nb.md' });
  assert.equal(snap.text, BROKEN);
  assert.deepEqual(snap.cells, []);
  const parseError = snap.parseError as { line: number; column: number; message: string };
  assert.equal(parseError.line, 3);
  const refused = await client.request({ type: 'editCell', cellId: 'cell-1', source: 'x' });
  assert.equal(refused.type, 'error');
  const fixed = BROKEN + '```\n';
  const saved = await client.request({ type: 'saveRaw', text: fixed, baseVersion: snap.version });
  assert.equal(saved.type, 'saved');
  const after = await client.until((n) => n.type === 'snapshot' && n.parseError === undefined);
  assert.equal(after.text, fixed);
  assert.equal(readFileSync(join(dir, 'broken.nb.md'), 'utf8'), fixed);
  const mark = client.mark();
  client.send({ type: 'runCell', cellId: 'cell-2' });
  await client.until(statusOf('cell-2', 'ok'), { after: mark });
  await client.close();
});

test('an idle kernel is stopped and restarted on demand, values recomputed', async () => {
  const idleDir = kernelWorkspace({ 'deps.nb.md': DEPS });
  const idle = await startServer({ workspace: idleDir, port: 0, idleKernelMs: 300 });
  try {
    const client = await TestClient.connect(idle, await login(idle));
    await client.request({ type: 'open', path: 'deps.nb.md' });
    client.send({ type: 'runAll' });
    await client.until(statusOf('c', 'ok'));
    const session = await idle.notebooks.open('deps.nb.md');
    assert.equal(session.kernelStarted, true);
    await waitFor(() => !session.kernelStarted, 5000);
    const mark = client.mark();
    client.send({ type: 'runCell', cellId: 'b' });
    await client.until(statusOf('b', 'ok'), { after: mark });
    const ran = client.received
      .slice(mark)
      .filter((n) => n.type === 'cellStatus' && n.status === 'running')
      .map((n) => n.cellId);
    assert.deepEqual(ran, ['a', 'b'], 'b needs a, which the stopped kernel lost');
    await client.close();
  } finally {
    await idle.close();
    removeWorkspace(idleDir);
  }
});
