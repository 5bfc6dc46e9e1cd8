/**
 * The browser-facing headers of a real `quire serve` (random port, the built dist/ui): the
 * Content-Security-Policy and the other security headers on the HTML, the hashed assets cached
 * for a year as immutable, and index.html, the API, the login redirect and errors never stored.
 * That the policy breaks nothing in the editor is tests/e2e/security-headers.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FRAME_SIZER } from '../../../src/protocol/html-frame.js';
import { CONTENT_SECURITY_POLICY, defaultUiDir } from '../../../src/server/routes/static.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { makeWorkspace, notebook, removeWorkspace } from './helpers.js';

const ui = defaultUiDir();
let ws: string;
let server: RunningServer;
let cookie: string;
/** the hashed files index.html names, e.g. `/assets/index-AbC123.js` */
let assets: string[];

before(async () => {
  if (!ui || !existsSync(join(ui, 'index.html')))
    throw new Error('the editor UI is not built: run `npm run build` first');
  assets = [
    ...readFileSync(join(ui, 'index.html'), 'utf8').matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g),
  ].map((m) => m[1]!);
  ws = makeWorkspace({ 'orders.nb.md': notebook('Orders') });
  server = await startServer({ workspace: ws, port: 0 });
  const login = await fetch(server.loginUrl, { redirect: 'manual' });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
});

after(async () => {
  await server?.close();
  if (ws) removeWorkspace(ws);
});

const get = (path: string, init: RequestInit = {}) =>
  fetch(server.url + path, { redirect: 'manual', ...init, headers: { cookie, ...init.headers } });

/** The CSP's directives by name, e.g. `script-src` -> [`'self'`]. */
function directives(policy: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (policy ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

function assertSecurityHeaders(response: Response, what: string): void {
  assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, what);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer', what);
}

test('the policy: scripts only from this origin, no inline script but the frame sizer, no eval', () => {
  const csp = directives(CONTENT_SECURITY_POLICY);
  assert.deepEqual(csp.get('default-src'), ["'self'"]);
  // and the one inline script of an html output's sandboxed frame, by its hash (protocol/html-frame.ts)
  const sizer = `'sha256-${createHash('sha256').update(FRAME_SIZER).digest('base64')}'`;
  assert.deepEqual(csp.get('script-src'), ["'self'", sizer]);
  assert.deepEqual(csp.get('style-src'), ["'self'", "'unsafe-inline'"]);
  assert.deepEqual(csp.get('connect-src'), ["'self'"]);
  assert.deepEqual(csp.get('img-src'), ["'self'", 'data:', 'blob:']);
  assert.deepEqual(csp.get('object-src'), ["'none'"]);
  assert.deepEqual(csp.get('base-uri'), ["'none'"]);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval|\*/);
});

test('index.html (/ and /n/*): CSP, nosniff, no referrer, revalidated on every load', async () => {
  for (const path of ['/', '/n/orders.nb.md']) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assertSecurityHeaders(response, path);
    // it names the current hashed assets: never used from a cache without asking
    assert.equal(response.headers.get('cache-control'), 'no-cache', path);
    // no inline script the policy would block: every script is a file under /assets/
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: an inline <script>`);
  }
});

test('hashed assets are cached for a year as immutable', async () => {
  assert.ok(assets.length >= 2, `index.html names its assets: ${assets.join(', ')}`);
  for (const path of assets) {
    assert.match(path, /-[\w-]{8,}\.(js|css)$/, `${path} carries a content hash`);
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
  }
});

test('assets carry the policy and their content types', async () => {
  for (const path of assets) {
    const response = await get(path);
    assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, path);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    assert.match(
      response.headers.get('content-type') ?? '',
      path.endsWith('.js') ? /javascript/ : /text\/css/,
    );
  }
});

test('API answers, the login redirect and errors are never stored', async () => {
  const cases: [string, Response][] = [
    ['GET /api/notebooks', await get('/api/notebooks')],
    ['GET /api/notebooks without a session', await fetch(server.url + '/api/notebooks')],
    ['GET /login', await fetch(server.loginUrl, { redirect: 'manual' })],
    ['GET /assets/missing.js', await get('/assets/missing.js')],
    ['GET /nothing-here', await get('/nothing-here')],
  ];
  for (const [what, response] of cases) {
    assert.equal(response.headers.get('cache-control'), 'no-store', what);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer', what);
  }
});

test('API answers and errors carry the policy too', async () => {
  for (const path of ['/api/notebooks', '/nothing-here']) assertSecurityHeaders(await get(path), path);
});
