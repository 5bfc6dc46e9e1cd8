/**
 * The server's default events sink writes the gate's events to the audit log in the store: a real
 * server on a random port, a login, a failed login, saves and a conflict; once `close` returns
 * (it flushes the writer before the store closes), every event is an entry and the chain verifies.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AuditLog } from '../../../src/audit/log.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { makeWorkspace, notebook, removeWorkspace, withCsrf } from './helpers.js';

let ws: string;
let server: RunningServer;
const logged: unknown[] = [];

before(async () => {
  ws = makeWorkspace({ 'orders.nb.md': notebook('Orders') });
  server = await startServer({ workspace: ws, port: 0, jobs: false, logError: (e) => logged.push(e) });
});

after(() => {
  removeWorkspace(ws);
  assert.deepEqual(logged, [], 'no unexpected server error');
});

test('every event of the gate is in the audit log once the server has closed', async () => {
  const wrong = await fetch(`${server.url}/login?token=wrong`, { redirect: 'manual' });
  assert.equal(wrong.status, 401);
  const login = await fetch(server.loginUrl, { redirect: 'manual' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const put = (path: string, body: unknown) =>
    fetch(`${server.url}/api/notebooks/${path}`, {
      method: 'PUT',
      headers: { ...withCsrf(cookie), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const { version } = (await (
    await fetch(`${server.url}/api/notebooks/orders.nb.md`, { headers: { cookie } })
  ).json()) as {
    version: string;
  };
  assert.equal((await put('orders.nb.md', { text: 'edited\n', baseVersion: version })).status, 200);
  assert.equal((await put('orders.nb.md', { text: 'stale\n', baseVersion: version })).status, 409);
  assert.equal((await put('new.nb.md', { text: 'new\n', baseVersion: null })).status, 200);
  await server.close();

  const store = await openStore({ workspace: ws });
  try {
    const audit = new AuditLog(store.db);
    const entries = await audit.list();
    assert.deepEqual(
      entries.map((e) => [e.seq, e.event, e.user, e.outcome, e.via, e.resource]),
      [
        [1, 'login', null, 'failed', 'http', { kind: 'server' }],
        [2, 'login', 'owner', 'ok', 'http', { kind: 'server' }],
        [3, 'notebook.saved', 'owner', 'ok', 'http', { kind: 'notebook', path: 'orders.nb.md' }],
        [4, 'notebook.saved', 'owner', 'failed', 'http', { kind: 'notebook', path: 'orders.nb.md' }],
        [5, 'notebook.saved', 'owner', 'ok', 'http', { kind: 'notebook', path: 'new.nb.md' }],
      ],
    );
    assert.equal(entries[3]!.detail.status, 409);
    const result = await audit.verify();
    assert.deepEqual(result, { ok: true, count: 5, head: { seq: 5, hash: entries[4]!.hash } });
  } finally {
    await store.close();
  }
});

test('GET /api/audit lists what happened so far, filtered; bad input is 400', async () => {
  const apiWs = makeWorkspace({ 'a.nb.md': notebook('A') });
  const apiServer = await startServer({ workspace: apiWs, port: 0, jobs: false });
  try {
    const login = await fetch(apiServer.loginUrl, { redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const get = (query: string) => fetch(`${apiServer.url}/api/audit${query}`, { headers: { cookie } });
    // The login's entry is written in the background: the route waits for the writer first.
    const all = (await (await get('')).json()) as { entries: { seq: number; event: string; user: string }[] };
    assert.deepEqual(
      all.entries.map((e) => [e.seq, e.event, e.user]),
      [[1, 'login', 'owner']],
    );
    const none = (await (await get('?event=notebook.saved')).json()) as { entries: unknown[] };
    assert.deepEqual(none.entries, []);
    const future = (await (await get('?since=2999-01-01T00:00:00Z')).json()) as { entries: unknown[] };
    assert.deepEqual(future.entries, []);
    assert.equal((await get('?limit=0')).status, 400);
    assert.equal((await get('?since=yesterday')).status, 400);
    assert.equal((await fetch(`${apiServer.url}/api/audit`)).status, 401, 'no login, no log');
  } finally {
    await apiServer.close();
    removeWorkspace(apiWs);
  }
});
