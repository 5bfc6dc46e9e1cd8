/** The built UI is served from dist/ui only: app routes get index.html, nothing outside leaks. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { staticRoutes } from '../../../src/server/routes/static.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'quire-static-')));
const ui = join(root, 'ui');
mkdirSync(join(ui, 'assets'), { recursive: true });
writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Quire</title>');
writeFileSync(join(ui, 'assets', 'main-abc.js'), 'console.log(1)');
writeFileSync(join(ui, 'assets', 'main-abc.css'), 'body{}');
writeFileSync(join(root, 'secret.txt'), 'secret');
symlinkSync(join(root, 'secret.txt'), join(ui, 'assets', 'link.js'));
after(() => rmSync(root, { recursive: true, force: true }));

const app = staticRoutes(ui);
const get = (path: string) => app.request(path);

test('index.html for / and /n/*, with an HTML content type', async () => {
  for (const path of ['/', '/n/sales.nb.md', '/n/a/b%20c.nb.md']) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(await response.text(), /<title>Quire/);
  }
});

test('assets with their content types', async () => {
  assert.equal(
    (await get('/assets/main-abc.js')).headers.get('content-type'),
    'text/javascript; charset=utf-8',
  );
  assert.equal((await get('/assets/main-abc.css')).headers.get('content-type'), 'text/css; charset=utf-8');
});

test('nothing outside dist/ui: traversal, encoded traversal, symlinks out, unknown files', async () => {
  for (const path of [
    '/assets/../secret.txt',
    '/assets/%2e%2e/secret.txt',
    '/assets/..%2fsecret.txt',
    '/assets/%252e%252e/secret.txt',
    '/assets/link.js',
    '/assets/missing.js',
    '/secret.txt',
    '/api/notebooks',
  ]) {
    const response = await get(path);
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(await response.text(), /secret/, path);
  }
});

test('without a built UI the routes fall through', async () => {
  assert.equal((await staticRoutes(null).request('/')).status, 404);
});
