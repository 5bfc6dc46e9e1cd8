/**
 * The first admin and the switch to accounts, against real servers. `accounts: true` (`quire serve
 * --accounts`) on a store without users gives a one-time setup URL: its form creates the first
 * admin and logs them in, then the URL is dead. Without it, a store without users keeps the
 * single-user token, until a user is added while the server runs: then the server turns to
 * accounts at once, and every single-user login ends (its cookie, its WebSocket, the token URL).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { Accounts } from '../../../src/auth/accounts.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { accountLogin, makeWorkspace, notebook, removeWorkspace, waitFor } from './helpers.js';
import { login, wsUrl } from './ws-client.js';

const PASSWORD = 'correct horse battery';
const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function serve(options: { accounts?: boolean; accountsPollMs?: number } = {}): Promise<RunningServer> {
  const ws = makeWorkspace({ 'a.nb.md': notebook('A') });
  const server = await startServer({ workspace: ws, port: 0, jobs: false, ...options });
  cleanup.push(async () => {
    await server.close();
    removeWorkspace(ws);
  });
  return server;
}

const post = (server: RunningServer, path: string, fields: Record<string, string>) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
  });

const cookieOf = (response: Response): string => (response.headers.get('set-cookie') ?? '').split(';')[0]!;

test('--accounts without users: a one-time setup URL creates the first admin, then is dead', async () => {
  const server = await serve({ accounts: true });
  assert.equal(server.mode, 'accounts');
  assert.equal(server.token, '');
  const setupUrl = new URL(server.setupUrl!);
  const token = setupUrl.searchParams.get('token')!;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const stored = await server.store.db.all<{ token_sha256: string }>('SELECT token_sha256 FROM setup_tokens');
  assert.equal(stored.length, 1);
  assert.notEqual(stored[0]!.token_sha256, token);

  const form = await fetch(setupUrl);
  assert.equal(form.status, 200);
  assert.match(await form.text(), /Create the first admin/);
  assert.equal((await fetch(`${server.url}/setup?token=${token.slice(1)}x`)).status, 410);
  assert.equal(
    (await post(server, '/setup', { token: `${token}x`, name: 'ada', password: PASSWORD })).status,
    410,
  );
  const weak = await post(server, '/setup', { token, name: 'ada', password: 'short' });
  assert.equal(weak.status, 400);

  const created = await post(server, '/setup', { token, name: 'ada', password: PASSWORD });
  assert.equal(created.status, 302);
  const cookie = cookieOf(created);
  assert.match(cookie, /^quire_session_\d+=[A-Za-z0-9_-]{43}$/);
  const audit = await fetch(`${server.url}/api/audit`, { headers: { cookie } });
  assert.equal(audit.status, 200, 'the first user is an admin');
  assert.deepEqual(await new Accounts(server.store.db).countUsers(), { users: 1, admins: 1 });

  assert.equal((await fetch(setupUrl)).status, 410);
  assert.equal((await post(server, '/setup', { token, name: 'eve', password: PASSWORD })).status, 410);
  assert.equal((await new Accounts(server.store.db).countUsers()).users, 1);
  // the admin logs in with the password they chose
  await accountLogin(server.url, 'ada', PASSWORD);
});

test('without users and without --accounts: the single-user token, and no setup URL', async () => {
  const server = await serve();
  assert.equal(server.mode, 'token');
  assert.equal(server.setupUrl, undefined);
  assert.equal((await fetch(`${server.url}/setup?token=anything`)).status, 410);
  assert.equal((await fetch(server.loginUrl, { redirect: 'manual' })).status, 302);
});

test('the first user added while the server runs turns it to accounts and ends the single-user logins', async () => {
  const server = await serve({ accountsPollMs: 50 });
  const tokenUrl = server.loginUrl;
  const cookie = await login(server);
  assert.equal((await fetch(`${server.url}/api/notebooks`, { headers: { cookie } })).status, 200);
  const socket = new WebSocket(wsUrl(server), { headers: { cookie, origin: server.url } });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const closed = new Promise((resolve) => socket.once('close', resolve));

  // `quire users add` in another process: its own connection to the store
  const other = await openStore({ workspace: server.workspace });
  await new Accounts(other.db).addUser('ada', 'admin', PASSWORD);
  await other.close();

  await waitFor(() => server.mode === 'accounts', 5000);
  await closed;
  assert.equal((await fetch(`${server.url}/api/notebooks`, { headers: { cookie } })).status, 401);
  const byToken = await fetch(tokenUrl, { redirect: 'manual' });
  assert.equal(byToken.status, 200, 'the token URL shows the login form and sets no session cookie');
  assert.ok(
    !byToken.headers.getSetCookie().some((c) => c.startsWith('quire_session_')),
    "only the form's own CSRF cookie",
  );
  assert.equal(server.loginUrl, `${server.url}/login`);
  const ada = await accountLogin(server.url, 'ada', PASSWORD);
  assert.equal((await fetch(`${server.url}/api/audit`, { headers: { cookie: ada } })).status, 200);
});
