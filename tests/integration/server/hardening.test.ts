/**
 * Web hardening of `quire serve` (issue 10), against real servers on random ports: CSRF tokens
 * (csrf.ts) in both login modes and across two servers on one store, login CSRF, the exact Origin
 * and Host rules (HTTP and WebSocket), `next=` confined to the app, a 1 MB password, a revoked
 * token and a session from before a password change, and no token in the log line of a 5xx.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { Accounts } from '../../../src/auth/accounts.js';
import { createLogger } from '../../../src/metrics/log.js';
import { checkHost } from '../../../src/server/auth.js';
import { csrfToken } from '../../../src/server/csrf.js';
import { safeNext } from '../../../src/server/routes/login.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { loginForm, makeWorkspace, notebook, removeWorkspace, withCsrf } from './helpers.js';
import { login, wsUrl } from './ws-client.js';

const PASSWORD = 'correct horse battery';
const TRUSTED = 'http://trusted.example.com';

let tokenWs: string;
let accountsWs: string;
let db: string;
/** single-user mode; a reverse proxy's origin is configured too */
let single: RunningServer;
/** accounts mode, two servers on one store (a load-balanced pair) */
let first: RunningServer;
let second: RunningServer;
let adminToken: string;
let revokedToken: string;

before(async () => {
  tokenWs = makeWorkspace({ 'a.nb.md': notebook('A') });
  single = await startServer({ workspace: tokenWs, port: 0, jobs: false, origins: [TRUSTED] });
  accountsWs = makeWorkspace({ 'a.nb.md': notebook('A') });
  db = `sqlite:${join(accountsWs, '.quire', 'quire.db')}`;
  const store = await openStore({ workspace: accountsWs });
  const accounts = new Accounts(store.db);
  await accounts.addUser('ada', 'admin', PASSWORD);
  await accounts.addUser('bob', 'editor', PASSWORD);
  adminToken = (await accounts.createToken('ada', 'admin')).token;
  const revoked = await accounts.createToken('ada', 'admin');
  await accounts.revokeToken(revoked.id);
  revokedToken = revoked.token;
  await store.close();
  first = await startServer({ workspace: accountsWs, port: 0, jobs: false, db });
  second = await startServer({ workspace: accountsWs, port: 0, jobs: false, db });
});

after(async () => {
  await single.close();
  await first.close();
  await second.close();
  removeWorkspace(tokenWs);
  removeWorkspace(accountsWs);
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: unlike fetch, it may set any Host header. */
function raw(
  server: RunningServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          host: url.host,
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const saveBody = (text: string, baseVersion: string | null) => JSON.stringify({ text, baseVersion });

/** The current version of a notebook on `server`, read with `cookie`. */
async function versionOf(server: RunningServer, cookie: string, path = 'a.nb.md'): Promise<string> {
  const read = await raw(server, 'GET', `/api/notebooks/${path}`, { cookie });
  assert.equal(read.status, 200, read.body);
  return (JSON.parse(read.body) as { version: string }).version;
}

/** A PUT of a.nb.md with `headers` (cookie, CSRF, Origin); the text says who wrote it. */
async function save(server: RunningServer, cookie: string, headers: Record<string, string>, text: string) {
  const baseVersion = await versionOf(server, cookie);
  return raw(
    server,
    'PUT',
    '/api/notebooks/a.nb.md',
    { 'content-type': 'application/json', origin: server.url, ...headers },
    saveBody(text, baseVersion),
  );
}

const cookieOf = (answer: Answer, prefix = 'quire_session_'): string | undefined =>
  ([answer.headers['set-cookie'] ?? []].flat() as string[])
    .map((line) => line.split(';')[0]!)
    .find((pair) => pair.startsWith(prefix));

/** An accounts login through the form (its CSRF token and cookie first); the session cookie. */
async function accountLogin(server: RunningServer, name: string, next?: string): Promise<Answer> {
  const form = await loginForm(server.url);
  return raw(
    server,
    'POST',
    '/login',
    { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, cookie: form.cookie },
    new URLSearchParams({ name, password: PASSWORD, csrf: form.csrf, ...(next ? { next } : {}) }).toString(),
  );
}

async function accountCookie(server: RunningServer, name = 'ada'): Promise<string> {
  const answer = await accountLogin(server, name);
  assert.equal(answer.status, 302, answer.body);
  return cookieOf(answer)!;
}

// ---- CSRF ---------------------------------------------------------------------------------------

test('single-user mode: a cookie-authenticated change needs the CSRF token of its own session', async () => {
  const cookie = await login(single);
  const other = await login(single);
  const text = () => raw(single, 'GET', '/api/notebooks/a.nb.md', { cookie }).then((r) => r.body);
  const before = await text();

  const none = await save(single, cookie, { cookie }, '# none\n');
  assert.equal(none.status, 403);
  assert.equal((JSON.parse(none.body) as { error: string }).error, 'csrf');
  const foreign = await save(
    single,
    cookie,
    { cookie, 'x-quire-csrf': withCsrf(other)['x-quire-csrf']! },
    '# x\n',
  );
  assert.equal(foreign.status, 403, "another session's token is refused");
  assert.equal(await text(), before, 'nothing was written');

  // The UI's way: GET /api/csrf, then the header.
  const given = await raw(single, 'GET', '/api/csrf', { cookie });
  const token = (JSON.parse(given.body) as { token: string }).token;
  assert.equal(token, withCsrf(cookie)['x-quire-csrf']);
  assert.equal(
    JSON.parse((await raw(single, 'GET', '/api/csrf')).body).token,
    null,
    'none without a session',
  );
  const ok = await save(single, cookie, { cookie, 'x-quire-csrf': token }, '# ok\n');
  assert.equal(ok.status, 200, ok.body);
});

test('POST /api/logout needs the token too: without it the session goes on', async () => {
  const cookie = await login(single);
  const refused = await raw(single, 'POST', '/api/logout', { cookie, origin: single.url });
  assert.equal(refused.status, 403);
  assert.equal((await raw(single, 'GET', '/api/notebooks', { cookie })).status, 200, 'still logged in');
  const out = await raw(single, 'POST', '/api/logout', { ...withCsrf(cookie), origin: single.url });
  assert.equal(out.status, 204);
  assert.equal((await raw(single, 'GET', '/api/notebooks', { cookie })).status, 401);
});

test('accounts mode, two servers on one store: the token of a session works on both; a bearer token needs none', async () => {
  const cookie = await accountCookie(first);
  const value = cookie.slice(cookie.indexOf('=') + 1);
  const onSecond = `quire_session_${new URL(second.url).port}=${value}`;
  const token = (JSON.parse((await raw(first, 'GET', '/api/csrf', { cookie })).body) as { token: string })
    .token;
  assert.equal(token, csrfToken(value));

  assert.equal((await save(second, onSecond, { cookie: onSecond }, '# B1\n')).status, 403, 'no token');
  const ok = await save(second, onSecond, { cookie: onSecond, 'x-quire-csrf': token }, '# B2\n');
  assert.equal(ok.status, 200, "the first server's token, on the second");

  const bearer = { authorization: `Bearer ${adminToken}` };
  const read = await raw(second, 'GET', '/api/notebooks/a.nb.md', bearer);
  const version = (JSON.parse(read.body) as { version: string }).version;
  const api = await raw(
    second,
    'PUT',
    '/api/notebooks/a.nb.md',
    { 'content-type': 'application/json', ...bearer },
    saveBody('# by token\n', version),
  );
  assert.equal(api.status, 200, api.body);
});

test('login CSRF: a POST /login without the form token and its cookie makes no session', async () => {
  const form = await loginForm(first.url);
  const post = (fields: Record<string, string>, cookie?: string) =>
    raw(
      first,
      'POST',
      '/login',
      {
        'content-type': 'application/x-www-form-urlencoded',
        origin: first.url,
        ...(cookie ? { cookie } : {}),
      },
      new URLSearchParams({ name: 'ada', password: PASSWORD, ...fields }).toString(),
    );
  for (const [what, answer] of [
    ['no token, no cookie', await post({})],
    ['a token, no cookie', await post({ csrf: form.csrf })],
    ['a cookie, no token', await post({}, form.cookie)],
    ['a token of another form', await post({ csrf: (await loginForm(first.url)).csrf }, form.cookie)],
  ] as const) {
    assert.equal(answer.status, 403, what);
    assert.equal(cookieOf(answer), undefined, `${what}: no session`);
  }
  const ok = await post({ csrf: form.csrf }, form.cookie);
  assert.equal(ok.status, 302);
  assert.ok(cookieOf(ok));
});

// ---- Origin and Host ----------------------------------------------------------------------------

test('the Origin check is an exact match: look-alikes, null and other ports are refused', async () => {
  const cookie = await login(single);
  const port = Number(new URL(single.url).port);
  const corpus = [
    'evil',
    'null',
    `${TRUSTED}.evil.com`,
    `http://127.0.0.1:${port}.evil.com`,
    `http://127.0.0.1:${port + 1}`,
    `https://127.0.0.1:${port}`,
    `${single.url}/`,
  ];
  for (const origin of corpus) {
    const answer = await save(single, cookie, { ...withCsrf(cookie), origin }, '# evil\n');
    assert.equal(answer.status, 403, `Origin ${origin}`);
    assert.equal((JSON.parse(answer.body) as { error: string }).error, 'forbidden-origin', origin);
    assert.equal(await upgrade(single, cookie, { origin }), 403, `WebSocket, Origin ${origin}`);
  }
  for (const origin of [single.url, TRUSTED]) {
    assert.equal((await save(single, cookie, { ...withCsrf(cookie), origin }, '# ok\n')).status, 200, origin);
  }
  assert.equal(await upgrade(single, cookie, { origin: single.url }), 101);
});

test('the Host must name the server: a DNS rebinding name is refused (HTTP and WebSocket)', async () => {
  const cookie = await login(single);
  const { port } = new URL(single.url);
  const foreign = [
    `evil.com:${port}`,
    'evil.com',
    `127.0.0.1.evil.com:${port}`,
    `localhost.evil.com:${port}`,
    `127.0.0.1:${Number(port) + 1}`,
    `trusted.example.com.evil.com`,
  ];
  for (const host of foreign) {
    const answer = await raw(single, 'GET', '/api/notebooks', { cookie, host });
    assert.equal(answer.status, 421, `Host ${host}`);
    assert.doesNotMatch(answer.body, /a\.nb\.md/, `Host ${host} read nothing`);
    assert.equal(await upgrade(single, cookie, { origin: single.url, host }), 421, `WebSocket, Host ${host}`);
  }
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'trusted.example.com']) {
    assert.equal((await raw(single, 'GET', '/api/notebooks', { cookie, host })).status, 200, host);
  }
});

/** The status of a WebSocket upgrade (101 when accepted); no frame is sent. */
function upgrade(server: RunningServer, cookie: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl(server), { headers: { cookie, ...headers } });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('error', () => resolve(0));
  });
}

// ---- next= ----------------------------------------------------------------------------------------

const OPEN_REDIRECTS = [
  '//evil.com',
  '/\\evil.com',
  'https://evil.com',
  '/%2F%2Fevil.com',
  '/%252F%252Fevil.com',
  'javascript:alert(1)',
  '%0d%0aLocation: x',
  '/ok%0d%0aLocation: x',
  '/%5cevil.com',
  'evil.com',
  '',
];

test('safeNext: only a path of this app; every open-redirect form is refused', () => {
  for (const next of OPEN_REDIRECTS) assert.equal(safeNext(next), undefined, JSON.stringify(next));
  for (const next of ['/ok/path?x=1', '/n/reports/q1.nb.md', '/runs/r-1#top'])
    assert.equal(safeNext(next), next);
});

test('after a login the browser goes back where it was, never off the app', async () => {
  const location = (answer: Answer) => answer.headers.location;
  // single-user mode: the printed URL with next
  for (const next of OPEN_REDIRECTS) {
    const answer = await raw(single, 'GET', `/login?token=${single.token}&next=${encodeURIComponent(next)}`);
    assert.equal(answer.status, 302);
    assert.equal(location(answer), '/', JSON.stringify(next));
  }
  const back = await raw(
    single,
    'GET',
    `/login?token=${single.token}&next=${encodeURIComponent('/ok/path?x=1')}`,
  );
  assert.equal(location(back), '/ok/path?x=1');
  // accounts mode: the form keeps it in a hidden field
  const page = await raw(first, 'GET', `/login?next=${encodeURIComponent('/n/a.nb.md')}`);
  assert.match(page.body, /<input type="hidden" name="next" value="\/n\/a\.nb\.md">/);
  assert.doesNotMatch((await raw(first, 'GET', '/login?next=%2F%2Fevil.com')).body, /name="next"/);
  assert.equal(location(await accountLogin(first, 'ada', '/n/a.nb.md')), '/n/a.nb.md');
  assert.equal(location(await accountLogin(first, 'ada', '//evil.com')), '/');
  assert.equal(location(await accountLogin(first, 'ada', '/\\evil.com')), '/');
});

// ---- accounts faults -----------------------------------------------------------------------------

test('a 1 MB password is refused as too large before it is parsed or hashed', async () => {
  const form = await loginForm(first.url);
  const answer = await fetch(`${first.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: first.url, cookie: form.cookie },
    body: new URLSearchParams({ name: 'ada', password: 'x'.repeat(1024 * 1024), csrf: form.csrf }).toString(),
  });
  assert.equal(answer.status, 413);
  assert.equal(((await answer.json()) as { error: string }).error, 'payload-too-large');
  // It counted no attempt against ada: the right password still logs in at once.
  assert.equal((await accountLogin(first, 'ada')).status, 302);
});

test('a revoked API token gets 401; a session from before a password change gets 401', async () => {
  const bearer = (token: string) => raw(first, 'GET', '/api/notebooks', { authorization: `Bearer ${token}` });
  assert.equal((await bearer(adminToken)).status, 200);
  assert.equal((await bearer(revokedToken)).status, 401);

  const cookie = await accountCookie(first, 'bob');
  assert.equal((await raw(first, 'GET', '/api/notebooks', { cookie })).status, 200);
  await new Accounts(first.store.db).setPassword('bob', 'a brand new password');
  assert.equal((await raw(first, 'GET', '/api/notebooks', { cookie })).status, 401);
  const onSecond = `quire_session_${new URL(second.url).port}=${cookie.split('=')[1]!}`;
  assert.equal(
    (await raw(second, 'GET', '/api/notebooks', { cookie: onSecond })).status,
    401,
    'on every server',
  );
  assert.equal(await upgrade(first, cookie, { origin: first.url }), 401, 'nor a WebSocket');
});

// ---- logs -----------------------------------------------------------------------------------------

test('the log line of a 5xx holds no token from the query, Referer, Authorization or cookies', async () => {
  const ws = makeWorkspace({ 'a.nb.md': notebook('A') });
  const lines: string[] = [];
  const log = createLogger({
    base: { component: 'serve' },
    stream: { write: (line: string) => lines.push(line) },
  });
  const server = await startServer({
    workspace: ws,
    port: 0,
    jobs: false,
    logError: (error) => log.error('unexpected error', { err: error }),
    events: { emit: (event) => log.info('audit', { ...event }) },
  });
  try {
    const cookie = await login(server);
    const session = cookie.slice(cookie.indexOf('=') + 1);
    // A real fault: the run store is closed under the running server.
    await server.store.close();
    const answer = await raw(server, 'GET', '/api/runs?token=QUERYSECRET123', {
      cookie: `${cookie}; other=COOKIESECRET123`,
      referer: `${server.url}/login?token=${server.token}`,
      authorization: 'Bearer qk_AUTHSECRET123',
    });
    assert.equal(answer.status, 500, answer.body);
    const text = lines.join('');
    assert.match(text, /unexpected error/, 'the failure was logged');
    for (const secret of ['QUERYSECRET123', 'COOKIESECRET123', 'AUTHSECRET123', server.token, session]) {
      assert.ok(!text.includes(secret), `the log holds ${secret}`);
      assert.ok(!answer.body.includes(secret), `the answer holds ${secret}`);
    }
  } finally {
    await server.close().catch(() => undefined);
    removeWorkspace(ws);
  }
});

test('checkHost: the names of the allowed origins exactly; a wildcard bind also takes IP literals', () => {
  const loopback = new Set(['http://127.0.0.1:8080', 'http://localhost:8080', 'https://quire.example.com']);
  for (const host of ['127.0.0.1:8080', 'LOCALHOST:8080', 'quire.example.com', 'quire.example.com:443'])
    assert.equal(checkHost(host, loopback), null, host);
  for (const host of [
    '127.0.0.1',
    '127.0.0.1:8081',
    'quire.example.com:8080',
    'quire.example.com.evil.com',
    '10.0.0.5:8080',
  ])
    assert.notEqual(checkHost(host, loopback), null, host);
  const wildcard = new Set(['http://0.0.0.0:8080', 'https://quire.example.com']);
  for (const host of ['10.0.0.5:8080', '[fd00::1]:8080', 'quire.example.com'])
    assert.equal(checkHost(host, wildcard), null, host);
  for (const host of ['evil.com:8080', '10.0.0.5.nip.io:8080'])
    assert.notEqual(checkHost(host, wildcard), null, host);
});
