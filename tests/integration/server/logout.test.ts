/**
 * `POST /api/logout` against a real server: the login's cookie stops working (HTTP and WebSocket
 * upgrade), its open WebSocket connections are closed, the cookie is cleared, other logins go on,
 * a foreign Origin cannot log anyone out, and the gate records a `logout` event.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { memoryEventSink } from '../../../src/server/events.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { LOGGED_OUT } from '../../../src/server/ws.js';
import { makeWorkspace, notebook, removeWorkspace, withCsrf } from './helpers.js';
import { login, TestClient, wsUrl } from './ws-client.js';

let ws: string;
let server: RunningServer;
const events = memoryEventSink();

before(async () => {
  ws = makeWorkspace({ 'a.nb.md': notebook('A') });
  server = await startServer({ workspace: ws, port: 0, jobs: false, events });
});

after(async () => {
  await server.close();
  removeWorkspace(ws);
});

const list = (cookie: string): Promise<number> =>
  fetch(`${server.url}/api/notebooks`, { headers: { cookie } }).then((r) => r.status);

const logout = (cookie: string, origin = server.url): Promise<Response> =>
  fetch(`${server.url}/api/logout`, { method: 'POST', headers: { ...withCsrf(cookie), origin } });

/** The status of a WebSocket upgrade with `cookie`: 101 when it is accepted. */
function upgrade(cookie: string): Promise<number> {
  const socket = new WebSocket(wsUrl(server), { headers: { cookie, origin: server.url } });
  return new Promise((resolve) => {
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
  });
}

test('after logout the cookie no longer works, its sockets are closed, other logins go on', async () => {
  const cookie = await login(server);
  const other = await login(server);
  assert.equal(await list(cookie), 200);
  const client = await TestClient.connect(server, cookie);
  assert.equal((await client.request({ type: 'open', path: 'a.nb.md' })).type, 'snapshot');
  const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));

  events.events.length = 0;
  const response = await logout(cookie);
  assert.equal(response.status, 204);
  const cleared = response.headers.get('set-cookie') ?? '';
  assert.match(cleared, new RegExp(`^${cookie.split('=')[0]}=;`), 'the cookie is cleared');
  assert.match(cleared, /Max-Age=0/);

  assert.equal(await closed, LOGGED_OUT, 'the open connection is closed');
  assert.equal(await list(cookie), 401, 'the old cookie is refused');
  assert.equal(await upgrade(cookie), 401, 'and cannot open a socket');
  assert.equal(await list(other), 200, 'another login is not affected');
  assert.equal(await upgrade(other), 101);

  assert.deepEqual(
    events.events.map(({ time: _time, ...e }) => e),
    [
      {
        event: 'logout',
        user: 'owner',
        action: null,
        resource: { kind: 'server' },
        outcome: 'ok',
        via: 'http',
        detail: { status: 204, ended: true },
      },
    ],
  );
  assert.ok(!JSON.stringify(events.events).includes(cookie.split('=')[1]!), 'no session id in the event');

  // Again, with the dead cookie or none: nothing to end, still 204.
  events.events.length = 0;
  assert.equal((await logout(cookie)).status, 204);
  assert.deepEqual(
    events.events.map((e) => [e.event, e.user, e.outcome, e.detail.ended]),
    [['logout', null, 'ok', false]],
  );
});

test('a foreign Origin cannot log anyone out', async () => {
  const cookie = await login(server);
  assert.equal((await logout(cookie, 'https://evil.example')).status, 403);
  assert.equal(await list(cookie), 200);
});
