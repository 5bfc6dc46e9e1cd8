/**
 * The snapshot's `access` (issue 10, the app view) against a real server in accounts mode: each
 * connection's snapshots say what its own user may do in that notebook, asked of the server's
 * `authorize` with the notebook as the resource (grants-aware: a notebook locked in the store is
 * read-only for everyone, and says so: `locked`), also when a snapshot is broadcast to a user's
 * other tabs. The notebook listing carries the same access per notebook. What the
 * UI hides is not the control: a runner's edits are still refused by the gate. In single-user
 * mode the owner may do both.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { lockNotebook, unlockNotebook } from '../../../src/auth/locks.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { accountLogin, makeWorkspace, removeWorkspace } from './helpers.js';
import { login as tokenLogin, TestClient } from './ws-client.js';

const APP = [
  '---',
  'title: Sales',
  'params:',
  '  factor: { type: number, default: 2 }',
  '---',
  '',
  '# Sales',
  '',
  '```ts name=total',
  'const total = 21 * factor;',
  'total',
  '```',
  '',
].join('\n');

const PASSWORDS: Record<string, string> = {
  vic: 'viewer password 1',
  rue: 'runner password 2',
  eda: 'editor password 3',
};

let ws: string;
let server: RunningServer;
const events = memoryEventSink();

before(async () => {
  ws = makeWorkspace({ 'app.nb.md': APP, 'locked/report.nb.md': APP });
  const store = await openStore({ workspace: ws });
  const accounts = new Accounts(store.db);
  await accounts.addUser('vic', 'viewer', PASSWORDS.vic!);
  await accounts.addUser('rue', 'runner', PASSWORDS.rue!);
  await accounts.addUser('eda', 'editor', PASSWORDS.eda!);
  await lockNotebook(store.db, {
    path: 'locked/report.nb.md',
    lockedBy: null,
    lockedAt: Date.now(),
    reason: null,
  });
  await store.close();
  server = await startServer({ workspace: ws, port: 0, jobs: false, events });
});

after(async () => {
  await server?.close();
  removeWorkspace(ws);
});

async function login(name: string): Promise<string> {
  return accountLogin(server.url, name, PASSWORDS[name]!);
}

const connect = async (name: string): Promise<TestClient> => TestClient.connect(server, await login(name));

async function accessOnOpen(client: TestClient, path: string): Promise<unknown> {
  const snapshot = await client.request({ type: 'open', path });
  assert.equal(snapshot.type, 'snapshot', JSON.stringify(snapshot));
  return snapshot.access;
}

test("the open reply carries the connection's own access: viewer, runner, editor, and a locked notebook", async () => {
  assert.equal(server.mode, 'accounts');
  const [vic, rue, eda] = await Promise.all(['vic', 'rue', 'eda'].map(connect));
  try {
    assert.deepEqual(await accessOnOpen(vic!, 'app.nb.md'), { edit: false, execute: false, locked: false });
    assert.deepEqual(await accessOnOpen(rue!, 'app.nb.md'), { edit: false, execute: true, locked: false });
    assert.deepEqual(await accessOnOpen(eda!, 'app.nb.md'), { edit: true, execute: true, locked: false });
    // From authorize with the notebook as the resource, not from the role: the editor may not edit here.
    assert.deepEqual(await accessOnOpen(eda!, 'locked/report.nb.md'), {
      edit: false,
      execute: true,
      locked: true,
    });
    assert.deepEqual(await accessOnOpen(rue!, 'locked/report.nb.md'), {
      edit: false,
      execute: true,
      locked: true,
    });
    assert.deepEqual(await accessOnOpen(vic!, 'locked/report.nb.md'), {
      edit: false,
      execute: false,
      locked: true,
    });
  } finally {
    for (const client of [vic, rue, eda]) client?.socket.close();
  }
});

test("a snapshot broadcast to a user's other tabs carries the access; another user's connection hears nothing", async () => {
  const vic = await connect('vic');
  const eda = await connect('eda');
  const edaTab = await connect('eda');
  try {
    await accessOnOpen(vic, 'app.nb.md');
    await accessOnOpen(eda, 'app.nb.md');
    await accessOnOpen(edaTab, 'app.nb.md');
    const vicMark = vic.received.length;
    const tabMark = edaTab.received.length;
    // A revert answers its sender with a snapshot and sends the session's other clients one.
    const own = await eda.request({ type: 'revert' });
    assert.equal(own.type, 'snapshot');
    assert.deepEqual(own.access, { edit: true, execute: true, locked: false });
    const heard = await edaTab.until((n) => n.type === 'snapshot', { after: tabMark });
    assert.deepEqual(heard.access, { edit: true, execute: true, locked: false });
    // vic's session is his own (per-user sessions): nothing of eda's reaches him.
    assert.deepEqual(vic.received.slice(vicMark), []);
  } finally {
    vic.socket.close();
    eda.socket.close();
    edaTab.socket.close();
  }
});

test("the UI's hiding is not the control: a runner's edits are refused by the gate, its params are not", async () => {
  const rue = await connect('rue');
  try {
    const opened = await rue.request({ type: 'open', path: 'app.nb.md' });
    const cells = opened.cells as { id: string; source: string }[];
    const total = cells.find((c) => c.source.includes('21 * factor'));
    assert.ok(total, JSON.stringify(cells));

    const edit = await rue.request({ type: 'editCell', cellId: total.id, source: 'const total = 0;' });
    assert.equal(edit.type, 'error');
    assert.match(String(edit.message), /not allowed: notebook:edit on app\.nb\.md/);
    for (const command of [
      { type: 'insertCell', index: 0, language: 'ts', source: '1' },
      { type: 'deleteCell', cellId: total.id },
      { type: 'save', baseVersion: opened.version },
      { type: 'revert' },
    ] as const) {
      const answer = await rue.request({ ...command });
      assert.equal(answer.type, 'error', `${command.type}: ${JSON.stringify(answer)}`);
    }
    const denied = events.events.filter(
      (e) => e.event === 'access.denied' && e.via === 'ws' && e.detail.command === 'editCell',
    );
    assert.equal(denied.length, 1);

    // Setting a param is running with other inputs, which a runner may do.
    const params = await rue.request({ type: 'setParams', values: { factor: 3 } });
    assert.equal(params.type, 'ack', JSON.stringify(params));
    const again = await rue.request({ type: 'open', path: 'app.nb.md' });
    const after = (again.cells as { id: string; source: string }[]).find((c) => c.id === total.id);
    assert.equal(after?.source, total.source, 'the refused edit changed nothing');
    assert.deepEqual(again.access, { edit: false, execute: true, locked: false });
  } finally {
    rue.socket.close();
  }
});

test("the notebook listing carries each notebook's access for its caller, and whether it is locked", async () => {
  const listed = async (name: string) => {
    const response = await fetch(`${server.url}/api/notebooks`, { headers: { cookie: await login(name) } });
    const body = (await response.json()) as { notebooks: { path: string; access?: unknown }[] };
    return Object.fromEntries(body.notebooks.map((n) => [n.path, n.access]));
  };
  assert.deepEqual(await listed('eda'), {
    'app.nb.md': { edit: true, execute: true, locked: false },
    'locked/report.nb.md': { edit: false, execute: true, locked: true },
  });
  assert.deepEqual(await listed('vic'), {
    'app.nb.md': { edit: false, execute: false, locked: false },
    'locked/report.nb.md': { edit: false, execute: false, locked: true },
  });
});

test('a lock or unlock reaches the open page: its sessions send a snapshot with the new access', async () => {
  const eda = await connect('eda');
  try {
    const opened = await eda.request({ type: 'open', path: 'app.nb.md' });
    assert.deepEqual(opened.access, { edit: true, execute: true, locked: false });
    await server.accessRules.refresh(); // the sessions note the notebook's lock state
    const lockedAt = eda.received.length;
    await lockNotebook(server.store.db, {
      path: 'app.nb.md',
      lockedBy: null,
      lockedAt: Date.now(),
      reason: null,
    });
    await server.accessRules.refresh();
    const locked = await eda.until((n) => n.type === 'snapshot', { after: lockedAt, ms: 5_000 });
    assert.deepEqual(locked.access, { edit: false, execute: true, locked: true });
    const unlockedAt = eda.received.length;
    await unlockNotebook(server.store.db, 'app.nb.md');
    await server.accessRules.refresh();
    const unlocked = await eda.until((n) => n.type === 'snapshot', { after: unlockedAt, ms: 5_000 });
    assert.deepEqual(unlocked.access, { edit: true, execute: true, locked: false });
  } finally {
    eda.socket.close();
  }
});

test('single-user mode: the owner may edit and execute', async () => {
  const dir = makeWorkspace({ 'app.nb.md': APP });
  const single = await startServer({ workspace: dir, port: 0, jobs: false });
  try {
    assert.equal(single.mode, 'token');
    const owner = await TestClient.connect(single, await tokenLogin(single));
    try {
      const snapshot = await owner.request({ type: 'open', path: 'app.nb.md' });
      assert.deepEqual(snapshot.access, { edit: true, execute: true, locked: false });
    } finally {
      owner.socket.close();
    }
  } finally {
    await single.close();
    removeWorkspace(dir);
  }
});
