/**
 * Table pages from the kernel over the editor's WebSocket (real server, real kernels; dist/ must
 * be built): a named 100,000-row SQL result is paged inside DuckDB at several offsets and sorted
 * both ways; a JS array of objects is paged in the kernel; a cell whose kernel was stopped falls
 * back to the preview its output carries.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { makeWorkspace, removeWorkspace, waitFor } from './helpers.js';
import { login, TestClient } from './ws-client.js';

const BIG = '# Big\n\n```sql name=big\nselect i, i % 7 as k from range(100000) t(i)\n```\n';
const ARRAY =
  '# Array\n\n```ts name=arr\n' +
  "const arr = Array.from({ length: 1000 }, (_, i) => ({ id: i, label: 'row ' + i }));\narr\n```\n";

let dir: string;
let server: RunningServer;
let client: TestClient;

function kernelWorkspace(files: Record<string, string>): string {
  const made = makeWorkspace(files);
  chmodSync(made, 0o755);
  return made;
}

const okStatus = (cellId: string) => (n: Record<string, unknown>) =>
  n.type === 'cellStatus' && n.cellId === cellId && n.status === 'ok';

before(async () => {
  dir = kernelWorkspace({ 'big.nb.md': BIG, 'array.nb.md': ARRAY });
  server = await startServer({ workspace: dir, port: 0 });
  client = await TestClient.connect(server, await login(server));
});

after(async () => {
  await client.close();
  await server.close();
  removeWorkspace(dir);
});

test('a 100,000-row SQL result is paged from DuckDB: offsets, both sort directions, past the end', async () => {
  await client.request({ type: 'open', path: 'big.nb.md' });
  client.send({ type: 'runCell', cellId: 'big' });
  await client.until(okStatus('big'));
  const page = (offset: number, limit: number, sort?: { column: string; descending: boolean }) =>
    client.request({ type: 'tablePage', cellId: 'big', offset, limit, ...(sort ? { sort } : {}) });

  const first = await page(0, 50);
  assert.equal(first.type, 'tablePage');
  assert.equal(first.source, 'kernel');
  assert.equal(first.rowCount, 100_000);
  assert.equal(first.pageableRows, 100_000);
  assert.deepEqual(
    (first.columns as { name: string }[]).map((c) => c.name),
    ['i', 'k'],
  );
  assert.equal((first.rows as unknown[]).length, 50);
  assert.deepEqual((first.rows as unknown[][])[0], [0, 0]);
  assert.deepEqual((first.rows as unknown[][])[49], [49, 0]);

  const middle = await page(50_000, 10);
  assert.equal(middle.offset, 50_000);
  assert.deepEqual(
    (middle.rows as unknown[][]).map((r) => r[0]),
    [...Array(10).keys()].map((i) => 50_000 + i),
  );

  const tail = await page(99_990, 50);
  assert.deepEqual(
    (tail.rows as unknown[][]).map((r) => r[0]),
    [...Array(10).keys()].map((i) => 99_990 + i),
  );

  const past = await page(200_000, 50);
  assert.deepEqual(past.rows, []);
  assert.equal(past.rowCount, 100_000);

  const descending = await page(0, 3, { column: 'i', descending: true });
  assert.deepEqual(descending.rows, [
    [99_999, 99_999 % 7],
    [99_998, 99_998 % 7],
    [99_997, 99_997 % 7],
  ]);
  // k = 0 for 14,286 rows; ties are broken by row order, so the page after them starts at k = 1, i = 1.
  const ascending = await page(14_285, 2, { column: 'k', descending: false });
  assert.deepEqual(ascending.rows, [
    [99_995, 0],
    [1, 1],
  ]);

  const missing = await page(0, 5, { column: 'nope', descending: false });
  assert.equal(missing.type, 'error');
  assert.match(missing.message as string, /no column "nope"/);
});

test('a JS array of objects is paged and sorted in the kernel', async () => {
  await client.request({ type: 'open', path: 'array.nb.md' });
  client.send({ type: 'runCell', cellId: 'arr' });
  await client.until(okStatus('arr'));
  const page = await client.request({ type: 'tablePage', cellId: 'arr', offset: 500, limit: 3 });
  assert.equal(page.source, 'kernel');
  assert.equal(page.rowCount, 1000);
  assert.deepEqual(page.rows, [
    [500, 'row 500'],
    [501, 'row 501'],
    [502, 'row 502'],
  ]);
  const sorted = await client.request({
    type: 'tablePage',
    cellId: 'arr',
    offset: 1,
    limit: 2,
    sort: { column: 'id', descending: true },
  });
  assert.deepEqual(sorted.rows, [
    [998, 'row 998'],
    [997, 'row 997'],
  ]);
});

test('a cell whose kernel was stopped falls back to the preview of its output', async () => {
  const idleDir = kernelWorkspace({ 'big.nb.md': BIG });
  const idle = await startServer({ workspace: idleDir, port: 0, idleKernelMs: 300 });
  try {
    const other = await TestClient.connect(idle, await login(idle));
    await other.request({ type: 'open', path: 'big.nb.md' });
    other.send({ type: 'runCell', cellId: 'big' });
    await other.until(okStatus('big'));
    const session = await idle.notebooks.open('big.nb.md');
    await waitFor(() => !session.kernelStarted, 5000);
    const page = await other.request({ type: 'tablePage', cellId: 'big', offset: 10, limit: 5 });
    assert.equal(page.type, 'tablePage');
    assert.equal(page.source, 'preview');
    assert.equal(page.pageableRows, 200);
    assert.equal(page.rowCount, 100_000);
    assert.deepEqual(
      (page.rows as unknown[][]).map((r) => r[0]),
      [10, 11, 12, 13, 14],
    );
    const past = await other.request({ type: 'tablePage', cellId: 'big', offset: 500, limit: 5 });
    assert.deepEqual(past.rows, []);
    await other.close();
  } finally {
    await idle.close();
    removeWorkspace(idleDir);
  }
});
