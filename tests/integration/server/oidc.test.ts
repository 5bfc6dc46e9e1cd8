/**
 * Single sign-on against a real OpenID provider (oidc-provider, in this process) and a real
 * `quire serve` in accounts mode: the whole redirect flow driven with fetch, cookies carried by
 * hand. A login maps the user's groups to a role and starts a store session like a password login;
 * a tampered state, a replayed callback, a nonce or PKCE verifier that is not the login's own, a
 * user in no mapped group and a disabled account are refused; the role follows the groups at the
 * next login.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { loginForm, makeWorkspace, notebook, removeWorkspace, withCsrf } from './helpers.js';
import { Browser, TestIdp } from './oidc-idp.js';

const SECRET_ENV = 'QUIRE_TEST_OIDC_CLIENT_SECRET';
const CLIENT_SECRET = 'a client secret of the test provider';

let ws: string;
let idp: TestIdp;
let server: RunningServer;
let accounts: Accounts;

before(async () => {
  idp = await TestIdp.start();
  ws = makeWorkspace({ 'a.nb.md': notebook('A') });
  writeFileSync(
    join(ws, 'quire.config.json'),
    JSON.stringify({
      auth: {
        oidc: {
          issuer: idp.issuer,
          clientId: 'quire',
          clientSecretEnv: SECRET_ENV,
          scopes: ['profile', 'email', 'groups'],
          roleMap: { 'data-admins': 'admin', analysts: 'editor', readers: 'viewer' },
        },
      },
    }),
  );
  process.env[SECRET_ENV] = CLIENT_SECRET;
  server = await startServer({ workspace: ws, port: 0, jobs: false });
  idp.register({
    clientId: 'quire',
    clientSecret: CLIENT_SECRET,
    redirectUri: `${server.url}/login/oidc/callback`,
  });
  accounts = new Accounts(server.store.db);
  idp.accounts.set('sub-alice', {
    groups: ['analysts', 'staff'],
    preferred_username: 'Alice',
    email: 'alice@example.org',
  });
  idp.accounts.set('sub-bob', { groups: ['interns'], preferred_username: 'bob' });
  idp.accounts.set('sub-dora', { groups: 'analysts', email: 'dora@example.org' });
});

after(async () => {
  await server.close();
  await idp.close();
  removeWorkspace(ws);
  delete process.env[SECRET_ENV];
});

const CALLBACK = (url: URL) => url.pathname === '/login/oidc/callback';

/**
 * One login of `who` in a fresh browser, up to the callback: the browser and the callback URL the
 * provider sent it to, not yet opened.
 */
async function toCallback(who: string): Promise<{ browser: Browser; callback: string }> {
  idp.nextLogin = who;
  const browser = new Browser();
  const { url } = await browser.follow(`${server.url}/login/oidc`, CALLBACK);
  assert.ok(CALLBACK(new URL(url)), `the flow ended at ${url}`);
  return { browser, callback: url };
}

/** A whole login: the callback's answer and the session cookie it set, if any. */
async function login(
  who: string,
): Promise<{ response: Response; cookie: string | undefined; browser: Browser }> {
  const { browser, callback } = await toCallback(who);
  const response = await browser.fetch(callback);
  const name = `quire_session_${new URL(server.url).port}`;
  const value = browser.cookie(server.url, name);
  return { response, cookie: value && `${name}=${value}`, browser };
}

const api = (path: string, cookie: string | undefined, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    // a browser's request: the cookie and, for a state change, the session's CSRF token
    headers: { ...(cookie ? withCsrf(cookie) : {}), origin: server.url, 'content-type': 'application/json' },
  });

const save = (cookie: string | undefined, name: string) =>
  api(`/api/notebooks/${name}.nb.md`, cookie, {
    method: 'PUT',
    body: JSON.stringify({ text: `# ${name}\n`, baseVersion: null }),
  });

test('the login form links to single sign-on; the start redirects to the provider with PKCE S256, a state and a nonce', async () => {
  const form = await (await fetch(`${server.url}/login`)).text();
  assert.match(form, /href="\/login\/oidc"/);
  const browser = new Browser();
  const start = await browser.fetch(`${server.url}/login/oidc`);
  assert.equal(start.status, 302);
  const to = new URL(start.headers.get('location')!);
  assert.equal(to.origin, idp.issuer);
  assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
  assert.match(to.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.ok((to.searchParams.get('nonce') ?? '').length >= 22);
  assert.equal(to.searchParams.get('redirect_uri'), `${server.url}/login/oidc/callback`);
  const state = to.searchParams.get('state')!;
  const setCookie = start.headers.getSetCookie().join('\n');
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Lax/);
  assert.equal(browser.cookie(server.url, `quire_session_${new URL(server.url).port}_oidc`), state);
  // only a digest of the state is stored
  const [row] = await server.store.db.all<{ state_sha256: string }>('SELECT state_sha256 FROM oidc_logins');
  assert.ok(row && row.state_sha256 !== state && /^[0-9a-f]{64}$/.test(row.state_sha256));
});

test('a login maps the groups to a role and gives a session cookie that works on /api/notebooks', async () => {
  const { response, cookie } = await login('sub-alice');
  assert.equal(response.status, 200, await response.clone().text());
  assert.match(await response.text(), /Signed in as alice \(editor\)/);
  assert.match(cookie ?? '', /^quire_session_\d+=[A-Za-z0-9_-]{43}$/);
  assert.equal((await api('/api/notebooks', cookie)).status, 200);
  // an editor saves notebooks and is no admin
  assert.ok([200, 201].includes((await save(cookie, 'by-alice')).status));
  assert.equal((await api('/api/audit', cookie)).status, 403);
  const alice = await accounts.user('alice');
  assert.equal(alice.role, 'editor');
  assert.equal(alice.hasPassword, false);
  // the password form does not log this account in
  const { cookie: formCookie, csrf } = await loginForm(server.url);
  const form = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, cookie: formCookie },
    body: new URLSearchParams({ name: 'alice', password: 'anything-at-all', csrf }).toString(),
  });
  assert.equal(form.status, 401);
});

test('a login rotates the session: the one the browser came with ends', async () => {
  const first = await login('sub-alice');
  assert.equal(first.response.status, 200);
  // the same browser signs in again (its provider session still open)
  const { url } = await first.browser.follow(`${server.url}/login/oidc`, CALLBACK);
  const again = await first.browser.fetch(url);
  assert.equal(again.status, 200);
  const name = `quire_session_${new URL(server.url).port}`;
  const second = `${name}=${first.browser.cookie(server.url, name)}`;
  assert.notEqual(second, first.cookie);
  assert.equal((await api('/api/notebooks', first.cookie)).status, 401);
  assert.equal((await api('/api/notebooks', second)).status, 200);
});

test('a tampered state is refused and starts no session', async () => {
  const { browser, callback } = await toCallback('sub-alice');
  const tampered = new URL(callback);
  tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
  const response = await browser.fetch(tampered.href);
  assert.equal(response.status, 400);
  assert.match(await response.text(), /not valid any more/);
  assert.equal(browser.cookie(server.url, `quire_session_${new URL(server.url).port}`), undefined);
});

test("a callback without the browser's state cookie (another browser) is refused", async () => {
  const { callback } = await toCallback('sub-alice');
  const response = await new Browser().fetch(callback);
  assert.equal(response.status, 400);
});

test('a replayed callback is refused, even with the state cookie copied', async () => {
  const { browser, callback } = await toCallback('sub-alice');
  const port = new URL(server.url).port;
  const stateCookie = browser.cookie(server.url, `quire_session_${port}_oidc`)!;
  const first = await browser.fetch(callback);
  assert.equal(first.status, 200);
  const replay = await fetch(callback, {
    redirect: 'manual',
    headers: { cookie: `quire_session_${port}_oidc=${stateCookie}` },
  });
  assert.equal(replay.status, 400);
  assert.equal(
    replay.headers.getSetCookie().some((c) => c.startsWith(`quire_session_${port}=`)),
    false,
  );
});

test("an ID token whose nonce is not the login's own is refused", async () => {
  const { browser, callback } = await toCallback('sub-alice');
  // as if the code had been issued for another login (a token injected from elsewhere)
  await server.store.db.run("UPDATE oidc_logins SET nonce = 'a-nonce-of-another-login'");
  const response = await browser.fetch(callback);
  assert.equal(response.status, 401);
  assert.match(await response.text(), /could not be verified/);
  assert.equal(browser.cookie(server.url, `quire_session_${new URL(server.url).port}`), undefined);
});

test("a code exchanged without the login's own PKCE verifier is refused by the provider", async () => {
  const { browser, callback } = await toCallback('sub-alice');
  await server.store.db.run(
    "UPDATE oidc_logins SET code_verifier = 'another-verifier-another-verifier-another-verifier'",
  );
  const response = await browser.fetch(callback);
  assert.equal(response.status, 401);
});

test('an ID token altered on its way (a forged groups claim, the signature kept) is refused', async () => {
  idp.forgeIdToken = (claims) => ({ ...claims, groups: ['data-admins'] });
  try {
    const { response, cookie } = await login('sub-alice');
    assert.equal(response.status, 401);
    assert.equal(cookie, undefined);
  } finally {
    idp.forgeIdToken = undefined;
  }
  assert.equal((await accounts.user('alice')).role, 'editor');
});

test('a user in no mapped group is refused with a clear page, and no account is made', async () => {
  const before = (await accounts.countUsers()).users;
  const { response, cookie } = await login('sub-bob');
  assert.equal(response.status, 403);
  const page = await response.text();
  assert.match(page, /none of your groups \(interns\) gives access to this Quire server/);
  assert.equal(cookie, undefined);
  assert.equal((await accounts.countUsers()).users, before);
});

test('a disabled account stays refused, and its sessions end', async () => {
  const first = await login('sub-dora');
  assert.equal(first.response.status, 200);
  assert.equal((await accounts.user('dora')).role, 'editor');
  await accounts.setDisabled('dora', true);
  assert.equal((await api('/api/notebooks', first.cookie)).status, 401);
  const again = await login('sub-dora');
  assert.equal(again.response.status, 403);
  assert.match(await again.response.text(), /disabled/);
  assert.equal(again.cookie, undefined);
});

test('the role follows the groups at each login', async () => {
  idp.accounts.set('sub-erin', { groups: ['readers'], preferred_username: 'erin' });
  const asViewer = await login('sub-erin');
  assert.equal(asViewer.response.status, 200);
  assert.equal((await save(asViewer.cookie, 'by-erin')).status, 403);

  idp.accounts.set('sub-erin', { groups: ['readers', 'data-admins'], preferred_username: 'erin' });
  const asAdmin = await login('sub-erin');
  assert.equal(asAdmin.response.status, 200);
  assert.equal((await accounts.user('erin')).role, 'admin');
  assert.equal((await api('/api/audit', asAdmin.cookie)).status, 200);

  idp.accounts.set('sub-erin', { groups: ['readers'], preferred_username: 'erin' });
  const demoted = await login('sub-erin');
  assert.equal(demoted.response.status, 200);
  assert.equal((await accounts.user('erin')).role, 'viewer');
  assert.equal((await api('/api/audit', demoted.cookie)).status, 403);
  // one account for one identity, however often it logs in
  assert.equal((await accounts.listUsers()).filter((u) => u.name.startsWith('erin')).length, 1);
});

test("a provider user with a local user's name gets an account of their own", async () => {
  await accounts.addUser('frank', 'admin', 'franks long password');
  idp.accounts.set('sub-frank', { groups: ['readers'], preferred_username: 'frank' });
  const { response } = await login('sub-frank');
  assert.equal(response.status, 200);
  assert.match(await response.text(), /Signed in as frank-2 \(viewer\)/);
  assert.equal((await accounts.user('frank')).role, 'admin');
});

test('one full login round trip (local provider), timed', async (t) => {
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    const { response } = await login('sub-alice');
    assert.equal(response.status, 200);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  t.diagnostic(
    `oidc login round trip: median ${times[5]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`,
  );
});
