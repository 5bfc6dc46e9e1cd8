/**
 * The full run listing (`GET /api/runs`) under grants, against a real server in accounts mode on
 * the embedded store: a page holds up to `limit` runs the user may read, found further down the
 * history when the newest runs are of notebooks granted only to someone else, and the scan that
 * fills it is bounded. One notebook's listing (`?path=`) is gated by its notebook.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { insertGrant } from '../../../src/auth/grants-store.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { accountLogin, makeWorkspace, notebook, removeWorkspace } from './helpers.js';

const PASSWORD = 'correct horse battery';
const OPEN = 'open.nb.md';
const PRIVATE = 'private/p.nb.md';
const NOTEBOOK = notebook('N');

let ws: string;
let server: RunningServer;
/** the runs of each notebook, newest first */
const openRuns: string[] = [];
const privateRuns: string[] = [];

before(async () => {
  ws = makeWorkspace({ [OPEN]: NOTEBOOK, [PRIVATE]: NOTEBOOK });
  const store = await openStore({ workspace: ws });
  const accounts = new Accounts(store.db);
  await accounts.addUser('ann', 'editor', PASSWORD);
  const other = await accounts.addUser('other', 'editor', PASSWORD);
  await insertGrant(store.db, {
    subject: { kind: 'user', id: other.id },
    path: 'private/',
    level: 'read',
    createdBy: null,
    now: 1,
  });
  // Three runs of the open notebook, then ten newer ones of the private one.
  for (let i = 0; i < 3; i++) {
    const run = await store.create({
      path: OPEN,
      source: NOTEBOOK,
      trigger: 'cli',
      params: {},
      now: 1000 + i,
    });
    openRuns.unshift(run!.id);
  }
  for (let i = 0; i < 10; i++) {
    const run = await store.create({
      path: PRIVATE,
      source: NOTEBOOK,
      trigger: 'cli',
      params: {},
      now: 2000 + i,
    });
    privateRuns.unshift(run!.id);
  }
  await store.close();
  server = await startServer({ workspace: ws, port: 0, jobs: false, events: memoryEventSink() });
});

after(async () => {
  await server?.close();
  removeWorkspace(ws);
});

async function runIds(cookie: string, query: string): Promise<{ status: number; ids: string[] }> {
  const response = await fetch(`${server.url}/api/runs${query}`, { headers: { cookie } });
  if (response.status !== 200) return { status: response.status, ids: [] };
  const body = (await response.json()) as { runs: { id: string }[] };
  return { status: 200, ids: body.runs.map((r) => r.id) };
}

test('a page holds `limit` readable runs, from below newer runs the user may not read', async () => {
  const ann = await accountLogin(server.url, 'ann', PASSWORD);
  assert.deepEqual(await runIds(ann, '?limit=3'), { status: 200, ids: openRuns });
  assert.deepEqual(await runIds(ann, '?limit=2'), { status: 200, ids: openRuns.slice(0, 2) });
  assert.deepEqual(await runIds(ann, ''), { status: 200, ids: openRuns }, 'the store runs out first');

  const other = await accountLogin(server.url, 'other', PASSWORD);
  assert.deepEqual(await runIds(other, '?limit=3'), { status: 200, ids: privateRuns.slice(0, 3) });
  assert.deepEqual(await runIds(other, '?limit=12'), {
    status: 200,
    ids: [...privateRuns, ...openRuns.slice(0, 2)],
  });
});

test('one notebook’s listing is gated by its notebook', async () => {
  const ann = await accountLogin(server.url, 'ann', PASSWORD);
  assert.equal((await runIds(ann, `?path=${PRIVATE}`)).status, 403);
  assert.deepEqual(await runIds(ann, `?path=${OPEN}&limit=2`), { status: 200, ids: openRuns.slice(0, 2) });
  const other = await accountLogin(server.url, 'other', PASSWORD);
  assert.deepEqual(await runIds(other, `?path=${PRIVATE}`), { status: 200, ids: privateRuns });
});

test('the scan is bounded: past 50 rows per run asked for, the page stays short', async () => {
  // 41 more private runs: 51 unreadable rows above ann's newest readable run.
  for (let i = 0; i < 41; i++) {
    await server.store.create({ path: PRIVATE, source: NOTEBOOK, trigger: 'cli', params: {}, now: 3000 + i });
  }
  const ann = await accountLogin(server.url, 'ann', PASSWORD);
  assert.deepEqual(await runIds(ann, '?limit=1'), { status: 200, ids: [] }, '50 rows scanned, none readable');
  assert.deepEqual(await runIds(ann, '?limit=2'), { status: 200, ids: openRuns.slice(0, 2) });
});
