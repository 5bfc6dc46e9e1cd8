/**
 * The HTTP API against a real server on a random port: login and cookies, the Origin check,
 * list/read/save/conflict, bad bodies, parse errors, and path traversal attempts (sent raw with
 * node:http, because fetch would normalize `..` away before the server sees it).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { BROKEN, makeWorkspace, notebook, removeWorkspace, withCsrf } from './helpers.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const SECRET = 'TOP-SECRET-OUTSIDE';

let base: string;
let ws: string;
let server: RunningServer;
let cookie: string;
const logged: unknown[] = [];

before(async () => {
  base = makeWorkspace({ 'outside/secret.nb.md': SECRET, 'outside/secret.txt': SECRET });
  ws = join(base, 'ws');
  mkdirSync(join(ws, 'reports'), { recursive: true });
  writeFileSync(join(ws, 'orders.nb.md'), notebook('Orders by region', ['sales']));
  writeFileSync(join(ws, 'reports/churn.nb.md'), notebook('Churn', ['retention']));
  writeFileSync(join(ws, 'broken.nb.md'), BROKEN);
  symlinkSync(join(base, 'outside'), join(ws, 'escape'));
  symlinkSync(join(base, 'outside/secret.nb.md'), join(ws, 'secret-link.nb.md'));
  server = await startServer({ workspace: ws, port: 0, logError: (e) => logged.push(e) });
  const login = await fetch(server.loginUrl, { redirect: 'manual' });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
});

after(async () => {
  await server.close();
  removeWorkspace(base);
  assert.deepEqual(logged, [], 'no unexpected server error');
});

const api = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(server.url + path, {
    ...init,
    headers: { ...withCsrf(cookie), ...(init.headers as Record<string, string>) },
  });

const put = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  api(path, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** A request whose path goes to the server exactly as written. */
function raw(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('the server listens on 127.0.0.1 by default and prints a login URL with the token', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(server.loginUrl, `${server.url}/login?token=${server.token}`);
});

test('/api needs the session cookie', async () => {
  const res = await fetch(`${server.url}/api/notebooks`);
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { error: string }).error, 'unauthorized');
  const forged = await fetch(`${server.url}/api/notebooks`, {
    headers: { cookie: `${cookie.split('=')[0]}=forged` },
  });
  assert.equal(forged.status, 401);
});

test('login with the token sets an HttpOnly, SameSite=Strict session cookie and redirects to /', async () => {
  const res = await fetch(server.loginUrl, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), '/');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  const setCookie = res.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /^quire_session_\d+=[A-Za-z0-9_-]{40,};/);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Path=\//);
  assert.ok(!setCookie.includes(server.token), 'the cookie is not the token');
  const wrong = await fetch(`${server.url}/login?token=wrong`, { redirect: 'manual' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
});

test('GET /api/notebooks lists and searches', async () => {
  const all = (await (await api('/api/notebooks')).json()) as {
    notebooks: Array<{ path: string; title: string }>;
  };
  assert.deepEqual(
    all.notebooks.map((n) => n.path),
    ['broken.nb.md', 'orders.nb.md', 'reports/churn.nb.md'],
    'symlinks are not followed by the list',
  );
  const found = (await (await api('/api/notebooks?q=RETENTION')).json()) as {
    notebooks: Array<{ path: string }>;
  };
  assert.deepEqual(
    found.notebooks.map((n) => n.path),
    ['reports/churn.nb.md'],
  );
});

test('GET a notebook returns its text, version and cells', async () => {
  const res = await api('/api/notebooks/reports/churn.nb.md');
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    path: string;
    text: string;
    version: string;
    cells: Array<{ kind: string }>;
  };
  const text = readFileSync(join(ws, 'reports/churn.nb.md'), 'utf8');
  assert.equal(body.path, 'reports/churn.nb.md');
  assert.equal(body.text, text);
  assert.equal(body.version, sha(text));
  assert.deepEqual(
    body.cells.map((c) => c.kind),
    ['prose', 'code'],
  );
  assert.equal((await api('/api/notebooks/missing.nb.md')).status, 404);
});

test('a notebook that does not parse still opens, with parseError line and column', async () => {
  const res = await api('/api/notebooks/broken.nb.md');
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    text: string;
    cells?: unknown;
    parseError: { line: number; column: number };
  };
  assert.equal(body.text, BROKEN);
  assert.equal(body.cells, undefined);
  assert.equal(body.parseError.line, 3);
  assert.equal(body.parseError.column, 1);
});

test('PUT saves on the current version and answers 409 with the current version when stale', async () => {
  const { version } = (await (await api('/api/notebooks/orders.nb.md')).json()) as { version: string };
  const ok = await put('/api/notebooks/orders.nb.md', { text: 'edited\n', baseVersion: version });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { version: sha('edited\n') });
  assert.equal(readFileSync(join(ws, 'orders.nb.md'), 'utf8'), 'edited\n');

  const stale = await put('/api/notebooks/orders.nb.md', { text: 'stale\n', baseVersion: version });
  assert.equal(stale.status, 409);
  const body = (await stale.json()) as { error: string; currentVersion: string };
  assert.equal(body.error, 'conflict');
  assert.equal(body.currentVersion, sha('edited\n'));
  assert.equal(readFileSync(join(ws, 'orders.nb.md'), 'utf8'), 'edited\n');

  const created = await put('/api/notebooks/reports/new.nb.md', { text: 'new\n', baseVersion: null });
  assert.equal(created.status, 200);
  assert.equal(readFileSync(join(ws, 'reports/new.nb.md'), 'utf8'), 'new\n');
});

test('a foreign Origin on PUT is refused with 403 and nothing is written; our own origin passes', async () => {
  const before = readFileSync(join(ws, 'orders.nb.md'), 'utf8');
  const body = { text: 'csrf\n', baseVersion: sha(before) };
  const foreign = await put('/api/notebooks/orders.nb.md', body, { origin: 'https://evil.example' });
  assert.equal(foreign.status, 403);
  assert.equal(((await foreign.json()) as { error: string }).error, 'forbidden-origin');
  assert.equal(readFileSync(join(ws, 'orders.nb.md'), 'utf8'), before);
  const own = await put('/api/notebooks/orders.nb.md', body, { origin: server.url });
  assert.equal(own.status, 200);
});

test('bad bodies get 400 naming the problem, never a stack trace', async () => {
  const malformed = await put('/api/notebooks/orders.nb.md', '{"text": "x",');
  assert.equal(malformed.status, 400);
  const m = (await malformed.json()) as { error: string; message: string };
  assert.equal(m.error, 'bad-request');
  assert.match(m.message, /not valid JSON/);
  assert.doesNotMatch(m.message, /\n\s+at /);

  const missing = await put('/api/notebooks/orders.nb.md', { baseVersion: null });
  assert.equal(missing.status, 400);
  assert.match(((await missing.json()) as { message: string }).message, /^text: /);

  const badVersion = await put('/api/notebooks/orders.nb.md', { text: 'x', baseVersion: 'abc' });
  assert.equal(badVersion.status, 400);
  assert.match(((await badVersion.json()) as { message: string }).message, /^baseVersion: /);

  const notJson = await api('/api/notebooks/orders.nb.md', { method: 'PUT', body: 'text=x' });
  assert.equal(notJson.status, 415);
});

test('path traversal attempts are refused and nothing outside the workspace is read or written', async () => {
  const attempts = [
    '/api/notebooks/../../outside/secret.nb.md',
    '/api/notebooks/..%2f..%2foutside%2fsecret.nb.md',
    '/api/notebooks/%2e%2e%2f%2e%2e%2foutside%2fsecret.nb.md',
    '/api/notebooks/%252e%252e%252foutside%252fsecret.nb.md',
    '/api/notebooks/%2fetc%2fpasswd',
    '/api/notebooks//etc/passwd',
    '/api/notebooks/..%5coutside%5csecret.nb.md',
    '/api/notebooks/escape/secret.nb.md',
    '/api/notebooks/secret-link.nb.md',
    '/api/notebooks/escape/new.nb.md',
    '/api/notebooks/orders.nb.md%00.txt',
  ];
  for (const path of attempts) {
    const read = await raw('GET', path);
    assert.ok([400, 403, 404].includes(read.status), `GET ${path} -> ${read.status}`);
    assert.ok(!read.body.includes(SECRET), `GET ${path} leaked the secret`);
    const write = await raw('PUT', path, JSON.stringify({ text: 'pwned', baseVersion: null }));
    assert.ok([400, 403, 404].includes(write.status), `PUT ${path} -> ${write.status}`);
  }
  assert.equal(readFileSync(join(base, 'outside/secret.nb.md'), 'utf8'), SECRET);
  assert.deepEqual(readdirSync(join(base, 'outside')).sort(), ['secret.nb.md', 'secret.txt']);
  assert.deepEqual(readdirSync(base).sort(), ['outside', 'ws']);

  const symlinkRead = await raw('GET', '/api/notebooks/secret-link.nb.md');
  assert.equal(symlinkRead.status, 403, 'a symlink out of the workspace is forbidden');
  const encoded = await raw('GET', '/api/notebooks/%2e%2e%2foutside%2fsecret.nb.md');
  assert.equal(encoded.status, 400);
});
