/**
 * Per-user quotas in accounts mode against a real server (`quotas` in quire.config.json): the
 * notebook sessions one user holds (each with its own kernel) and the runs one user has queued or
 * running. Past a quota: a WebSocket `open` gets an error reply naming the limit and the notebooks
 * held, `POST /api/runs` gets 429 with a JSON error naming the limit and the runs. Admins are held
 * to it too; another user is not affected; a connection that moves on, or a closed tab, frees its
 * place. An invalid `quotas` key stops the start, naming the field.
 */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { ProcessKernel } from '../../../src/kernel/host.js';
import type { KernelFactory } from '../../../src/kernel/types.js';
import { loadQuotas } from '../../../src/connectors/host/config.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { startServer, WorkspaceConfigError, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import type { StoredRun } from '../../../src/store/types.js';
import { accountLogin, makeWorkspace, notebook, removeWorkspace, sleep, withCsrf } from './helpers.js';
import { TestClient } from './ws-client.js';

const PASSWORD = 'correct horse battery';
// Real kernels, given longer to start than the default 15 s: the test machine is shared and busy.
const kernels: KernelFactory = (spec) => new ProcessKernel({ ...spec, startTimeoutMs: 90_000 });
const SLOW = '# Slow\n\n```ts\nawait new Promise((r) => setTimeout(r, 8000));\n```\n';

let dir: string;
let db: string;
let server: RunningServer;
const cookies: Record<string, string> = {};

before(async () => {
  dir = makeWorkspace({
    'a.nb.md': notebook('A', [], '```ts\nconst x = 1;\nx\n```\n'),
    'b.nb.md': notebook('B'),
    'c.nb.md': notebook('C'),
    'slow.nb.md': SLOW,
    'quire.config.json': JSON.stringify({ quotas: { kernelsPerUser: 2, runsPerUser: 2 } }),
  });
  chmodSync(dir, 0o755);
  db = `sqlite:${join(dir, '.quire', 'quire.db')}`;
  const store = await openStore({ workspace: dir });
  const accounts = new Accounts(store.db);
  await accounts.addUser('ada', 'admin', PASSWORD);
  await accounts.addUser('bob', 'runner', PASSWORD);
  await store.close();
  server = await startServer({
    workspace: dir,
    port: 0,
    kernels,
    db,
    graceMs: 0,
    idleKernelMs: 60_000,
    jobs: { concurrency: 1, schedules: false },
    events: memoryEventSink(),
  });
  for (const name of ['ada', 'bob']) {
    cookies[name] = await accountLogin(server.url, name, PASSWORD);
  }
});

after(async () => {
  await server.close();
  removeWorkspace(dir);
});

const connect = (name: string) => TestClient.connect(server, cookies[name]!);

test('sessions per user: past the quota an open is refused naming the limit and the notebooks held', async () => {
  const one = await connect('ada');
  const two = await connect('ada');
  const three = await connect('ada');
  const bob = await connect('bob');
  try {
    assert.equal((await one.request({ type: 'open', path: 'a.nb.md' })).type, 'snapshot');
    assert.equal((await two.request({ type: 'open', path: 'b.nb.md' })).type, 'snapshot');
    // ada is an admin: held to the quota all the same.
    const refused = await three.request({ type: 'open', path: 'c.nb.md' });
    assert.equal(refused.type, 'error');
    assert.equal(
      refused.message,
      'quota: you have 2 notebook sessions open, each with its own kernel (a.nb.md, b.nb.md); the limit is 2 per ' +
        'user (quotas.kernelsPerUser in quire.config.json, or quire serve --kernels-per-user): close one of them (its tab) and open this one again',
    );
    // The connection refused is not attached to anything: its commands find no session.
    // Another user has a quota of their own.
    assert.equal((await bob.request({ type: 'open', path: 'c.nb.md' })).type, 'snapshot');
    // A connection moving on leaves the notebook it showed: that place is free for the move.
    assert.equal((await one.request({ type: 'open', path: 'c.nb.md' })).type, 'snapshot');
    const still = await three.request({ type: 'open', path: 'a.nb.md' });
    assert.match(String(still.message), /\(b\.nb\.md, c\.nb\.md\); the limit is 2/);
    // A closed tab frees its place.
    two.socket.close();
    let reopened: Record<string, unknown> | undefined;
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(50)) {
      reopened = await three.request({ type: 'open', path: 'a.nb.md' });
      if (reopened.type === 'snapshot') break;
    }
    assert.equal(reopened?.type, 'snapshot');
  } finally {
    for (const client of [one, two, three, bob]) client.socket.close();
  }
});

test('a notebook whose tab was closed with an idle kernel gives its place up: the kernel stops, the outputs stay', async () => {
  // Wait for the previous test's closed tabs to be gone from their sessions.
  await sleep(200);
  const first = await connect('bob');
  const second = await connect('bob');
  const third = await connect('bob');
  try {
    const snap = await first.request({ type: 'open', path: 'a.nb.md' });
    const cellId = (snap.cells as { id: string; kind: string }[]).find((c) => c.kind === 'code')!.id;
    first.send({ type: 'runCell', cellId });
    await first.until((n) => n.type === 'cellStatus' && n.cellId === cellId && n.status === 'ok', {
      ms: 60_000,
    });
    const held = (await server.notebooks.list()).find((s) => s.path === 'a.nb.md' && s.user.name === 'bob')!;
    assert.ok(held.kernelPid !== undefined, 'a kernel runs');
    first.socket.close();
    // bob holds c.nb.md (previous test, closed tab, no kernel: free) and a.nb.md (closed tab, kernel).
    assert.equal((await second.request({ type: 'open', path: 'b.nb.md' })).type, 'snapshot');
    await sleep(100);
    const opened = await third.request({ type: 'open', path: 'c.nb.md' });
    assert.equal(opened.type, 'snapshot', JSON.stringify(opened));
    assert.equal(held.kernelPid, undefined, "the detached session's idle kernel was stopped");
    // Back on a.nb.md (leaving b.nb.md): the session kept its output without a kernel.
    const back = await second.request({ type: 'open', path: 'a.nb.md' });
    assert.equal(back.type, 'snapshot');
    const cell = (back.cells as { id: string; outputs: unknown[] }[]).find((c) => c.id === cellId)!;
    assert.equal(cell.outputs.length, 1, 'the output stayed');
  } finally {
    for (const client of [first, second, third]) client.socket.close();
  }
});

test('runs per user: past the quota POST /api/runs answers 429 naming the limit and the runs', async () => {
  const post = (name: string) =>
    fetch(`${server.url}/api/runs`, {
      method: 'POST',
      headers: { ...withCsrf(cookies[name]!), 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ path: 'slow.nb.md' }),
    });
  const store = server.store;
  const adaId = (await new Accounts(store.db).user('ada')).id;
  const queued: StoredRun[] = [];
  for (let i = 0; i < 2; i++) {
    const response = await post('ada');
    assert.equal(response.status, 202);
    queued.push(((await response.json()) as { run: StoredRun }).run);
  }
  assert.deepEqual(
    queued.map((r) => r.ownerId),
    [adaId, adaId],
    'a run carries who queued it',
  );
  const refused = await post('ada');
  assert.equal(refused.status, 429);
  const body = (await refused.json()) as { error: string; message: string };
  assert.equal(body.error, 'quota');
  assert.match(body.message, /^quota: you have 2 runs queued or running: /);
  for (const run of queued) assert.ok(body.message.includes(run.id), `names ${run.id}`);
  assert.match(
    body.message,
    /the limit is 2 per user \(quotas\.runsPerUser in quire\.config\.json, or quire serve --runs-per-user\)/,
  );
  assert.equal((await store.list({ path: 'slow.nb.md' })).length, 2, 'no run was made');
  // bob's runs are his own.
  assert.equal((await post('bob')).status, 202);
  for (const run of await store.list({ status: 'queued' })) await store.cancelQueued(run.id);
});

test('an invalid quotas key stops the start, naming the field', async () => {
  writeFileSync(
    join(dir, 'quire.config.json'),
    JSON.stringify({ quotas: { kernelsPerUser: 0, runsPerUser: '4' } }),
  );
  try {
    assert.throws(() => loadQuotas(dir), /quotas\.kernelsPerUser: must be at least 1 .*quotas\.runsPerUser/);
    await assert.rejects(
      startServer({ workspace: dir, port: 0, db, jobs: false, events: memoryEventSink() }),
      (error: Error) => error instanceof WorkspaceConfigError && /quotas\.kernelsPerUser/.test(error.message),
    );
    writeFileSync(join(dir, 'quire.config.json'), JSON.stringify({ quotas: { runsPerUser: null } }));
    assert.deepEqual(loadQuotas(dir), { kernelsPerUser: 4, runsPerUser: undefined });
  } finally {
    writeFileSync(
      join(dir, 'quire.config.json'),
      JSON.stringify({ quotas: { kernelsPerUser: 2, runsPerUser: 2 } }),
    );
  }
});
