/**
 * `quire serve` in accounts mode (the store has users) against a real server: the login form,
 * name and password into a session cookie kept in the store, the role baseline on routes, API
 * tokens as bearer credentials on /api, logout, the failed-login limit, a restart that logs nobody
 * out, and the WebSocket upgrade with an account's session. A store without users keeps the
 * single-user token (the other server tests).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { Accounts } from '../../../src/auth/accounts.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { loginForm, makeWorkspace, notebook, removeWorkspace, withCsrf } from './helpers.js';
import { wsUrl } from './ws-client.js';

const PASSWORD = 'correct horse battery';
let ws: string;
let db: string;
let server: RunningServer;
let tokens: { read: string; run: string; revoked: string; revokedId: string };
const events = memoryEventSink();

before(async () => {
  ws = makeWorkspace({ 'a.nb.md': notebook('A') });
  db = `sqlite:${join(ws, '.quire', 'quire.db')}`;
  const store = await openStore({ workspace: ws });
  const accounts = new Accounts(store.db);
  await accounts.addUser('ada', 'admin', PASSWORD);
  await accounts.addUser('vic', 'viewer', 'vics password');
  const revoked = await accounts.createToken('ada', 'admin');
  await accounts.revokeToken(revoked.id);
  tokens = {
    read: (await accounts.createToken('ada', 'read')).token,
    run: (await accounts.createToken('ada', 'run')).token,
    revoked: revoked.token,
    revokedId: revoked.id,
  };
  await store.close();
  server = await startServer({ workspace: ws, port: 0, jobs: false, events, db });
  formToken = await loginForm(server.url);
});

after(async () => {
  await server.close();
  removeWorkspace(ws);
});

/** The login form's pre-session token and its cookie (csrf.ts), fetched once. */
let formToken: { cookie: string; csrf: string };

const form = (fields: Record<string, string>, extra: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  redirect: 'manual',
  body: new URLSearchParams({ ...fields, csrf: formToken.csrf }).toString(),
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    origin: server.url,
    ...extra,
    cookie: [extra.cookie, formToken.cookie].filter(Boolean).join('; '),
  },
});

async function login(name: string, password: string, target = server): Promise<string> {
  const response = await fetch(`${target.url}/login`, form({ name, password }));
  assert.equal(response.status, 302, await response.text());
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.match(cookie, /^quire_session_\d+=[A-Za-z0-9_-]{43}$/);
  return cookie;
}

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers });

const save = (headers: Record<string, string>) =>
  fetch(`${server.url}/api/notebooks/b.nb.md`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', origin: server.url, ...headers },
    body: JSON.stringify({ text: '# B\n', baseVersion: null }),
  });

test('accounts mode: the printed URL is the login form, and the start token does not work', async () => {
  assert.equal(server.mode, 'accounts');
  assert.equal(server.loginUrl, `${server.url}/login`);
  const page = await get('/login');
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<form method="post" action="\/login">/);
  assert.match(html, /type="password"/);
  const withToken = await fetch(`${server.url}/login?token=anything`, { redirect: 'manual' });
  assert.equal(withToken.status, 200, 'a token is no way in: the form again');
  assert.doesNotMatch(withToken.headers.get('set-cookie') ?? '', /quire_session_/, 'no session');
  assert.equal((await get('/api/notebooks')).status, 401);
});

test('a name and password give a session cookie; a wrong one gets the form again with 401', async () => {
  const wrong = await fetch(`${server.url}/login`, form({ name: 'ada', password: 'wrong password' }));
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
  const body = await wrong.text();
  assert.match(body, /Wrong name or password/);
  assert.ok(!body.includes('wrong password'), 'the password is not echoed');
  const cookie = await login('ada', PASSWORD);
  assert.equal((await get('/api/notebooks', { cookie })).status, 200);
  const event = events.events.filter((e) => e.event === 'login').at(-1);
  assert.ok(event && event.outcome === 'ok' && event.user?.startsWith('u_'));
  assert.ok(!JSON.stringify(events.events).includes(PASSWORD), 'no event holds a password');
});

test('the role baseline: a viewer reads but cannot save; an admin can', async () => {
  const viewer = await login('vic', 'vics password');
  assert.equal((await get('/api/notebooks/a.nb.md', { cookie: viewer })).status, 200);
  assert.equal((await save(withCsrf(viewer))).status, 403);
  const admin = await login('ada', PASSWORD);
  assert.equal((await save(withCsrf(admin))).status, 200);
});

test('API tokens on /api: a scope narrows the user; revoked and unknown tokens get 401', async () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  assert.equal((await get('/api/notebooks', bearer(tokens.read))).status, 200);
  assert.equal((await save(bearer(tokens.read))).status, 403, 'read scope cannot edit, even for an admin');
  assert.equal((await get('/api/notebooks', bearer(tokens.run))).status, 200);
  assert.equal((await get('/api/notebooks', bearer(tokens.revoked))).status, 401);
  assert.equal((await get('/api/notebooks', bearer('qk_' + 'A'.repeat(43)))).status, 401);
  assert.equal((await get('/api/notebooks', bearer('not-a-token'))).status, 401);
});

test('login rotates the session: the cookie the browser came with stops working; logout ends the new one', async () => {
  const first = await login('ada', PASSWORD);
  const response = await fetch(
    `${server.url}/login`,
    form({ name: 'ada', password: PASSWORD }, { cookie: first }),
  );
  assert.equal(response.status, 302);
  const second = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.notEqual(second, first);
  assert.equal((await get('/api/notebooks', { cookie: first })).status, 401);
  assert.equal((await get('/api/notebooks', { cookie: second })).status, 200);
  const out = await fetch(`${server.url}/api/logout`, {
    method: 'POST',
    headers: { ...withCsrf(second), origin: server.url },
  });
  assert.equal(out.status, 204);
  assert.equal((await get('/api/notebooks', { cookie: second })).status, 401);
});

test('a login from a foreign origin is refused before any password is checked', async () => {
  const response = await fetch(
    `${server.url}/login`,
    form({ name: 'ada', password: PASSWORD }, { origin: 'https://evil.example' }),
  );
  assert.equal(response.status, 403);
});

test('the WebSocket accepts an account session and refuses none', async () => {
  const cookie = await login('vic', 'vics password');
  const status = (headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(wsUrl(server), { headers: { origin: server.url, ...headers } });
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => {
        socket.close();
        resolve(101);
      });
    });
  assert.equal(await status({ cookie }), 101);
  assert.equal(await status({}), 401);
});

test('a restart logs nobody out: the session works on a second server on the same store', async () => {
  const cookie = await login('ada', PASSWORD);
  const value = cookie.split('=')[1]!;
  const second = await startServer({ workspace: ws, port: 0, jobs: false, db });
  try {
    const response = await fetch(`${second.url}/api/notebooks`, {
      headers: { cookie: `quire_session_${new URL(second.url).port}=${value}` },
    });
    assert.equal(response.status, 200);
  } finally {
    await second.close();
  }
});

test('too many failed logins for a name: 429 with Retry-After, even for the right password', async () => {
  for (let i = 0; i < 10; i++) {
    const r = await fetch(`${server.url}/login`, form({ name: 'vic', password: `guess ${i}` }));
    assert.equal(r.status, 401, `attempt ${i}`);
  }
  const limited = await fetch(`${server.url}/login`, form({ name: 'vic', password: 'vics password' }));
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.equal(limited.headers.get('set-cookie'), null);
});
