/**
 * The editor commands added to the protocol after the first cut, against a real server, real `ws`
 * clients and real kernels (dist/: `npm run build` first): renameCell (a SQL result under its new
 * name), runStale after setParams, revert to the text on disk, cellInfo to every client, `dirty`
 * on acks, and a kernel SIGKILLed in the middle of a cell.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { BROKEN, makeWorkspace, removeWorkspace } from './helpers.js';
import { login, TestClient } from './ws-client.js';

const RENAME =
  '# Orders\n\n```sql name=orders  echo=false\nselect 42 as n\n```\n\n' +
  '```ts name=reader\nconst count = orders.rows[0].n;\ncount\n```\n';
const PARAMS =
  '---\nparams:\n  n: { type: number, default: 2 }\n---\n\n' +
  '```ts name=doubled\nconst doubled = n * 2;\ndoubled\n```\n\n' +
  "```ts name=other\nconst other = 'untouched';\nother\n```\n";
const REVERT = '# Revert\n\n```ts name=a\nconst a = 1;\na\n```\n';
const INFO = '# Info\n\n```ts name=a\nconst a = 1;\n```\n';
const KILL =
  "```ts name=hang\nconsole.log('started');\nawait new Promise((r) => setTimeout(r, 60_000));\nconst never = 1;\n```\n\n" +
  '```ts name=after\nconst after = 6 * 7;\nafter\n```\n';

let dir: string;
let server: RunningServer;
let cookie: string;
const logged: unknown[] = [];

before(async () => {
  dir = makeWorkspace({
    'rename.nb.md': RENAME,
    'params.nb.md': PARAMS,
    'revert.nb.md': REVERT,
    'info.nb.md': INFO,
    'kill.nb.md': KILL,
    'broken.nb.md': BROKEN,
  });
  // the kernel user (`nobody` when the tests run as root) must read the workspace
  chmodSync(dir, 0o755);
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

type Note = Record<string, unknown>;
const statusOf = (cellId: string, status: string) => (n: Note) =>
  n.type === 'cellStatus' && n.cellId === cellId && n.status === status;
const outputsOf = (client: TestClient, cellId: string, after: number): string =>
  JSON.stringify(client.received.slice(after).filter((n) => n.type === 'cellOutput' && n.cellId === cellId));
const ranSince = (client: TestClient, after: number): unknown[] =>
  client.received
    .slice(after)
    .filter((n) => n.type === 'cellStatus' && n.status === 'running')
    .map((n) => n.cellId);

test('renameCell: a SQL result goes by its new name, its reader is rewritten to read it; only those bytes change on save', async () => {
  const client = await TestClient.connect(server, cookie);
  const snap = await client.request({ type: 'open', path: 'rename.nb.md' });
  const declared = (snap.cells as { id: string; declarations: string[] }[]).map((c) => [
    c.id,
    c.declarations,
  ]);
  assert.deepEqual(declared, [
    ['cell-1', []],
    ['orders', ['orders']],
    ['cell-3', []],
    ['reader', ['count']],
  ]);
  client.send({ type: 'runAll' });
  await client.until(statusOf('reader', 'ok'));

  let mark = client.mark();
  const other = await TestClient.connect(server, cookie);
  await other.request({ type: 'open', path: 'rename.nb.md' });
  const ack = await client.request({ type: 'renameCell', cellId: 'orders', name: 'sales' });
  assert.deepEqual([ack.type, ack.dirty], ['ack', true]);
  assert.match(ack.notice as string, /1 cell now reads the new name \(reader\)/);
  const info = await client.until((n) => n.type === 'cellInfo', { after: mark });
  assert.deepEqual(info, { type: 'cellInfo', cellId: 'orders', name: 'sales', declarations: ['sales'] });
  // the reader was rewritten: its sender hears of it as a source; another client gets a snapshot
  const source = await client.until((n) => n.type === 'cellSource' && n.cellId === 'reader', { after: mark });
  assert.equal(source.source, 'const count = sales.rows[0].n;\ncount');
  const snapshot = await other.until((n) => n.type === 'snapshot' && !n.requestId);
  const readerThere = (snapshot.cells as { id: string; source: string }[]).find((c) => c.id === 'reader');
  assert.equal(readerThere?.source, 'const count = sales.rows[0].n;\ncount');
  await other.close();

  // the cell kept its id; both are stale, and running the reader runs the renamed cell first
  mark = client.mark();
  client.send({ type: 'runCell', cellId: 'reader' });
  await client.until(statusOf('reader', 'ok'), { after: mark });
  assert.deepEqual(ranSince(client, mark), ['orders', 'reader'], 'the renamed cell is stale: it runs first');
  assert.match(outputsOf(client, 'reader', mark), /42/);

  // a prose cell or an unknown id is refused with an error naming it
  const prose = await client.request({ type: 'renameCell', cellId: 'cell-3', name: 'x' });
  assert.equal(prose.type, 'error');
  assert.match(prose.message as string, /cell "cell-3" is prose/);
  const ghost = await client.request({ type: 'renameCell', cellId: 'ghost', name: 'x' });
  assert.equal(ghost.type, 'error');
  assert.match(ghost.message as string, /"ghost"/);
  const invalid = await client.request({ type: 'renameCell', cellId: 'orders', name: 'not a name' });
  assert.equal(invalid.type, 'error');

  const saved = await client.request({ type: 'save', baseVersion: snap.version });
  assert.equal(saved.type, 'saved');
  assert.equal(
    readFileSync(join(dir, 'rename.nb.md'), 'utf8'),
    RENAME.replace('```sql name=orders  echo=false', '```sql name=sales echo=false').replace(
      'orders.rows[0].n',
      'sales.rows[0].n',
    ),
  );
  await client.close();
});

test('runStale after setParams re-runs exactly the cells that read the param', async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'params.nb.md' });
  client.send({ type: 'runAll' });
  await client.until(statusOf('other', 'ok'));
  await client.until(statusOf('doubled', 'ok'));

  const beforeSet = client.mark();
  const set = await client.request({ type: 'setParams', values: { n: 5 } });
  assert.equal(set.type, 'ack');
  const snap = await client.until((n) => n.type === 'snapshot', { after: beforeSet });
  const status = (snap.cells as { id: string; kind: string; status: string }[])
    .filter((c) => c.kind === 'code')
    .map((c) => [c.id, c.status]);
  assert.deepEqual(status, [
    ['doubled', 'stale'],
    ['other', 'ok'],
  ]);

  const mark = client.mark();
  const ack = await client.request({ type: 'runStale' });
  assert.equal(ack.type, 'ack');
  await client.until(statusOf('doubled', 'ok'), { after: mark });
  await client.settled('params.nb.md');
  assert.deepEqual(ranSince(client, mark), ['doubled'], 'the cell that does not read n did not run');
  assert.match(outputsOf(client, 'doubled', mark), /10/);

  // nothing stale: runStale runs nothing and still answers
  const idle = client.mark();
  assert.equal((await client.request({ type: 'runStale' })).type, 'ack');
  await client.settled('params.nb.md');
  assert.deepEqual(ranSince(client, idle), []);
  await client.close();
});

test('revert drops unsaved edits: every client gets a snapshot of the text on disk; acks say dirty', async () => {
  const one = await TestClient.connect(server, cookie);
  const two = await TestClient.connect(server, cookie);
  const opened = await one.request({ type: 'open', path: 'revert.nb.md' });
  await two.request({ type: 'open', path: 'revert.nb.md' });

  const edited = await one.request({ type: 'editCell', cellId: 'a', source: 'const a = 2;\na' });
  assert.deepEqual([edited.type, edited.dirty], ['ack', true]);
  const back = await one.request({ type: 'editCell', cellId: 'a', source: 'const a = 1;\na' });
  assert.equal(back.dirty, false, 'the text is the one on disk again');
  const inserted = await one.request({
    type: 'insertCell',
    index: 2,
    language: 'js',
    source: 'const b = a;',
  });
  assert.equal(inserted.dirty, true);

  // the insert's snapshot and cellInfo reach the second client before the revert's snapshot
  await two.until((n) => n.type === 'cellInfo' && n.cellId === 'new-3');
  const markTwo = two.mark();
  const reverted = await one.request({ type: 'revert' });
  assert.equal(reverted.type, 'snapshot', 'the requester gets a snapshot carrying its requestId');
  assert.equal(reverted.text, REVERT);
  assert.equal(reverted.dirty, false);
  assert.equal(reverted.version, opened.version);
  assert.deepEqual(
    (reverted.cells as { id: string }[]).map((c) => c.id),
    ['cell-1', 'a'],
  );
  const other = await two.until((n) => n.type === 'snapshot', { after: markTwo });
  assert.equal(other.text, REVERT);
  assert.equal(other.dirty, false);

  // the reverted session still runs
  const mark = one.mark();
  one.send({ type: 'runCell', cellId: 'a' });
  await one.until(statusOf('a', 'ok'), { after: mark });
  assert.equal(readFileSync(join(dir, 'revert.nb.md'), 'utf8'), REVERT, 'revert wrote nothing');

  // raw mode: revert reads the file again and answers with its parse error
  const raw = await one.request({ type: 'open', path: 'broken.nb.md' });
  assert.ok(raw.parseError);
  const rawRevert = await one.request({ type: 'revert' });
  assert.equal(rawRevert.type, 'snapshot');
  assert.equal(rawRevert.text, BROKEN);
  assert.deepEqual(rawRevert.parseError, raw.parseError);
  await one.close();
  await two.close();
});

test('cellInfo reaches every client after an edit, an insert and a rename', async () => {
  const one = await TestClient.connect(server, cookie);
  const two = await TestClient.connect(server, cookie);
  await one.request({ type: 'open', path: 'info.nb.md' });
  await two.request({ type: 'open', path: 'info.nb.md' });
  /** The cellInfo notifications each client got since `marks`, once both got one. */
  const infosSince = async (marks: number[]): Promise<unknown[][]> => {
    const clients = [one, two];
    await Promise.all(clients.map((c, i) => c.until((n) => n.type === 'cellInfo', { after: marks[i] })));
    return clients.map((c, i) => c.received.slice(marks[i]).filter((n) => n.type === 'cellInfo'));
  };

  let marks = [one.mark(), two.mark()];
  await one.request({ type: 'editCell', cellId: 'a', source: 'const a = 1;\nfunction helper() {}' });
  const edited = { type: 'cellInfo', cellId: 'a', name: 'a', declarations: ['a', 'helper'] };
  assert.deepEqual(await infosSince(marks), [[edited], [edited]], 'the sender gets it too');

  marks = [one.mark(), two.mark()];
  await one.request({ type: 'insertCell', index: 2, language: 'sql', source: 'select a', name: 'q' });
  const inserted = { type: 'cellInfo', cellId: 'q', name: 'q', declarations: ['q'] };
  assert.deepEqual(await infosSince(marks), [[inserted], [inserted]]);

  marks = [one.mark(), two.mark()];
  await two.request({ type: 'renameCell', cellId: 'q', name: null });
  const renamed = { type: 'cellInfo', cellId: 'q', declarations: [] };
  assert.deepEqual(await infosSince(marks), [[renamed], [renamed]]);
  // the other client learns the new text's dirtiness and name from a snapshot (sent before the
  // cellInfo); the sender from its ack and the cellInfo
  const snap = await one.until((n) => n.type === 'snapshot', { after: marks[0] });
  assert.equal(snap.dirty, true);
  assert.equal((snap.cells as { id: string; name?: string }[]).find((c) => c.id === 'q')?.name, undefined);
  assert.equal(
    two.received.slice(marks[1]).some((n) => n.type === 'snapshot'),
    false,
    'the renaming client gets no snapshot over its own pending edits',
  );
  await one.close();
  await two.close();
});

test('a kernel SIGKILLed mid-cell: the cell fails, the next run gets a new kernel', async () => {
  const client = await TestClient.connect(server, cookie);
  await client.request({ type: 'open', path: 'kill.nb.md' });
  client.send({ type: 'runCell', cellId: 'hang' });
  // its first output: the kernel is up and inside the cell
  await client.until((n) => n.type === 'cellOutput' && n.cellId === 'hang');
  const session = await server.notebooks.open('kill.nb.md');
  const pid = session.kernelPid;
  assert.ok(pid !== undefined, 'the session has a kernel process');
  process.kill(pid, 'SIGKILL');
  const failed = await client.until(statusOf('hang', 'error'));
  assert.deepEqual(failed.error, { name: 'KernelCrash', message: 'the kernel was killed by signal SIGKILL' });

  const mark = client.mark();
  client.send({ type: 'runCell', cellId: 'after' });
  await client.until(statusOf('after', 'ok'), { after: mark });
  assert.match(outputsOf(client, 'after', mark), /42/);
  assert.notEqual(session.kernelPid, pid, 'a new kernel process');
  await client.close();
});
