/**
 * The path-traversal corpus, in one place, against both ways a client names a notebook: the REST
 * routes (`GET`/`PUT /api/notebooks/<path>`) and the WebSocket's `open`. The workspace is
 * `<base>/ws`; beside it a sibling whose name starts with the workspace's (`<base>/ws-other`, the
 * prefix trap of a `startsWith` check) and an `outside` folder, each holding a secret; inside, a
 * symlinked file and a symlinked folder that lead out. Nothing outside is read, written or opened.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { makeWorkspace, notebook, removeWorkspace, withCsrf } from './helpers.js';
import { login, TestClient } from './ws-client.js';

const SECRET = '# Secret\n\nsecret-marker-7731\n';

let base: string;
let ws: string;
let server: RunningServer;
let cookie: string;
const logged: unknown[] = [];

before(async () => {
  base = makeWorkspace({
    'ws-other/x.nb.md': SECRET,
    'outside/secret.nb.md': SECRET,
  });
  ws = join(base, 'ws');
  mkdirSync(ws);
  writeFileSync(join(ws, 'a.nb.md'), notebook('A'));
  symlinkSync(join(base, 'outside/secret.nb.md'), join(ws, 'link.nb.md'));
  symlinkSync(join(base, 'ws-other'), join(ws, 'escape'));
  server = await startServer({ workspace: ws, port: 0, jobs: false, logError: (e) => logged.push(e) });
  cookie = await login(server);
});

after(async () => {
  await server.close();
  removeWorkspace(base);
  assert.deepEqual(logged, [], 'no unexpected server error');
});

/** Every way of naming something outside the workspace, as a client would send the path. */
const corpus = (): string[] => [
  '../x.nb.md',
  '../ws-other/x.nb.md',
  '..%2fws-other%2fx.nb.md',
  '%2e%2e/ws-other/x.nb.md',
  '%2e%2e%2fws-other%2fx.nb.md',
  './../ws-other/x.nb.md',
  'escape/../../ws-other/x.nb.md',
  '..\\ws-other\\x.nb.md',
  `${base}/ws-other/x.nb.md`,
  `${base}/outside/secret.nb.md`,
  `/${base}/ws-other/x.nb.md`,
  'a.nb.md\0.txt',
  'a.nb.md\0/../../ws-other/x.nb.md',
  'link.nb.md',
  'escape/x.nb.md',
];

/** The path as a URL of the REST routes: each segment encoded as the UI does, and as typed. */
const urls = (path: string): string[] => [
  `/api/notebooks/${path.split('/').map(encodeURIComponent).join('/')}`,
  ...(/[\0\\]/.test(path) ? [] : [`/api/notebooks/${path}`]),
];

test('REST: no path of the corpus reads or writes outside the workspace', async () => {
  for (const path of corpus()) {
    for (const url of urls(path)) {
      const read = await fetch(server.url + url, { headers: { cookie } });
      const body = await read.text();
      assert.ok([400, 403, 404].includes(read.status), `GET ${JSON.stringify(url)} -> ${read.status}`);
      assert.ok(!body.includes('secret-marker'), `GET ${JSON.stringify(url)} leaked the secret`);
      const write = await fetch(server.url + url, {
        method: 'PUT',
        headers: { ...withCsrf(cookie), 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ text: '# pwned\n', baseVersion: null }),
      });
      assert.ok([400, 403, 404].includes(write.status), `PUT ${JSON.stringify(url)} -> ${write.status}`);
    }
  }
  assert.equal(readFileSync(join(base, 'ws-other/x.nb.md'), 'utf8'), SECRET);
  assert.equal(readFileSync(join(base, 'outside/secret.nb.md'), 'utf8'), SECRET);
  assert.deepEqual(readdirSync(join(base, 'ws-other')), ['x.nb.md']);
  assert.deepEqual(readdirSync(join(base, 'outside')), ['secret.nb.md']);
  assert.deepEqual(readdirSync(base).sort(), ['outside', 'ws', 'ws-other']);
});

test('WebSocket: no path of the corpus opens a session outside the workspace', async () => {
  const client = await TestClient.connect(server, cookie);
  try {
    for (const path of corpus()) {
      const answer = await client.request({ type: 'open', path });
      assert.equal(answer.type, 'error', `open ${JSON.stringify(path)} -> ${answer.type}`);
    }
    assert.ok(!JSON.stringify(client.received).includes('secret-marker'), 'no notification holds the secret');
    // The connection is fine afterwards: a notebook of the workspace opens.
    const ok = await client.request({ type: 'open', path: 'a.nb.md' });
    assert.notEqual(ok.type, 'error');
  } finally {
    await client.close();
  }
  const open = (await server.notebooks.list()).map((s) => s.path);
  assert.deepEqual(open, ['a.nb.md'], "the only session is the workspace's notebook");
});
