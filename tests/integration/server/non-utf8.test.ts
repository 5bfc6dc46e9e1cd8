/**
 * A notebook that is not valid UTF-8 (Latin-1 bytes in its front matter, prose and a code cell,
 * a stray 0xFF, a cut-off sequence) keeps every byte the editor did not change (issue 11): they
 * used to become U+FFFD on the first save. A real server, real `ws` clients and a real kernel
 * (dist/: `npm run build` first); every assertion is on the bytes of the file.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { makeWorkspace, removeWorkspace, withCsrf } from './helpers.js';
import { login, TestClient } from './ws-client.js';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** front matter and prose in Latin-1, a code cell with a Latin-1 string, 0xFF and a cut sequence. */
const ORIGINAL = Buffer.concat([
  utf8('---\ntitle: '),
  latin1('R\xe9sum\xe9'),
  utf8('\n---\n\n# Caf'),
  latin1('\xe9'),
  utf8(' \u2014 menu\n\nPrix en '),
  latin1('\xa3'),
  utf8('.\n\n```ts name=a\nconst a = "na'),
  latin1('\xefve'),
  utf8('";\n// '),
  Buffer.from([0xff, 0xe2, 0x82]),
  utf8('\na.length\n```\n\n```ts name=b\nconst b = 1;\nb\n```\n'),
]);

const BROKEN = Buffer.concat([utf8('# Cass'), latin1('\xe9'), utf8('\n\n```ts\nconst x = 1;\n')]);

let dir: string;
let server: RunningServer;
let cookie: string;
const logged: unknown[] = [];
const onDisk = (name: string): Buffer => readFileSync(join(dir, name));

before(async () => {
  dir = makeWorkspace();
  chmodSync(dir, 0o755);
  for (const name of ['edit-other.nb.md', 'edit-same.nb.md', 'http.nb.md'])
    writeFileSync(join(dir, name), ORIGINAL);
  writeFileSync(join(dir, 'broken.nb.md'), BROKEN);
  server = await startServer({ workspace: dir, port: 0, logError: (e) => logged.push(e) });
  cookie = await login(server);
});

after(async () => {
  await server.close();
  removeWorkspace(dir);
  assert.deepEqual(logged, [], 'no unexpected server error');
});

/** `bytes` with the first occurrence of `from` replaced by `to`, as bytes. */
function replaced(bytes: Buffer, from: Buffer, to: Buffer): Buffer {
  const at = bytes.indexOf(from);
  assert.ok(at >= 0, `${from.toString('latin1')} is in the file`);
  return Buffer.concat([bytes.subarray(0, at), to, bytes.subarray(at + from.length)]);
}

test('saving after editing another cell keeps every non-UTF-8 byte', async () => {
  const client = await TestClient.connect(server, cookie);
  const snap = await client.request({ type: 'open', path: 'edit-other.nb.md' });
  assert.equal(snap.type, 'snapshot');
  assert.equal(snap.parseError, undefined);
  await client.request({ type: 'editCell', cellId: 'b', source: 'const b = 2;\nb' });
  const saved = await client.request({ type: 'save', baseVersion: snap.version });
  assert.equal(saved.type, 'saved');
  const expected = replaced(ORIGINAL, utf8('const b = 1;'), utf8('const b = 2;'));
  assert.ok(onDisk('edit-other.nb.md').equals(expected), onDisk('edit-other.nb.md').toString('latin1'));
  // the same text reads back as the same version: nothing was lost on the way
  const again = await client.request({ type: 'open', path: 'edit-other.nb.md' });
  assert.equal(again.version, saved.version);
  assert.equal(again.dirty, false);
  await client.close();
});

test('an edited cell keeps the bytes the edit did not touch, and it runs', async () => {
  const client = await TestClient.connect(server, cookie);
  const snap = await client.request({ type: 'open', path: 'edit-same.nb.md' });
  const cellA = (snap.cells as { id: string; source: string }[]).find((c) => c.id === 'a');
  assert.ok(cellA);
  // The client edits what it was given: the end of the cell, not the odd bytes in it.
  await client.request({
    type: 'editCell',
    cellId: 'a',
    source: cellA.source.replace('a.length', 'a.length + 1'),
  });
  const mark = client.mark();
  client.send({ type: 'runCell', cellId: 'a' });
  const status = await client.until(
    (n) => n.type === 'cellStatus' && n.cellId === 'a' && (n.status === 'ok' || n.status === 'error'),
    {
      after: mark,
    },
  );
  assert.equal(status.status, 'ok', JSON.stringify(status));
  const saved = await client.request({ type: 'save', baseVersion: snap.version });
  assert.equal(saved.type, 'saved');
  const expected = replaced(ORIGINAL, utf8('a.length\n'), utf8('a.length + 1\n'));
  assert.ok(onDisk('edit-same.nb.md').equals(expected), onDisk('edit-same.nb.md').toString('latin1'));
  await client.close();
});

test('GET then PUT of /api/notebooks writes the same bytes back', async () => {
  const response = await fetch(`${server.url}/api/notebooks/http.nb.md`, { headers: { cookie } });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { text: string; version: string };
  const put = await fetch(`${server.url}/api/notebooks/http.nb.md`, {
    method: 'PUT',
    headers: { ...withCsrf(cookie), origin: server.url, 'content-type': 'application/json' },
    body: JSON.stringify({
      text: body.text.replace('const b = 1;', 'const b = 3;'),
      baseVersion: body.version,
    }),
  });
  assert.equal(put.status, 200, await put.clone().text());
  const expected = replaced(ORIGINAL, utf8('const b = 1;'), utf8('const b = 3;'));
  assert.ok(onDisk('http.nb.md').equals(expected), onDisk('http.nb.md').toString('latin1'));
});

test('raw mode (a notebook that does not parse) keeps the bytes too', async () => {
  const client = await TestClient.connect(server, cookie);
  const snap = await client.request({ type: 'open', path: 'broken.nb.md' });
  assert.ok(snap.parseError);
  const saved = await client.request({
    type: 'saveRaw',
    text: `${snap.text as string}\`\`\`\n`,
    baseVersion: snap.version,
  });
  assert.equal(saved.type, 'saved');
  assert.ok(onDisk('broken.nb.md').equals(Buffer.concat([BROKEN, utf8('```\n')])));
  await client.close();
});
