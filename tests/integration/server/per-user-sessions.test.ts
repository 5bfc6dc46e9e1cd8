/**
 * Per-user sessions in accounts mode against a real server, real `ws` clients and real kernels
 * (dist/: `npm run build` first): two users on one notebook get two sessions and two kernel
 * processes, and what one user's cells print never reaches the other's connection; one user's
 * tabs still share their session; both save the same file through its version check (a stale
 * save is a conflict, the other session hears of a save as of any change on disk); the metrics
 * gauges count both sessions and both kernels.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { ProcessKernel } from '../../../src/kernel/host.js';
import type { KernelFactory } from '../../../src/kernel/types.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { accountLogin, makeWorkspace, removeWorkspace } from './helpers.js';
import { TestClient } from './ws-client.js';

const PASSWORD = 'correct horse battery';
// Real kernels, given longer to start than the default 15 s: the test machine is shared and busy.
const kernels: KernelFactory = (spec) => new ProcessKernel({ ...spec, startTimeoutMs: 90_000 });
// Each kernel draws its own value: whoever sees one saw that kernel's output.
const SHARED =
  '# Shared\n\n```ts name=draw\nconst drawn = `value-${process.pid}-${Math.random().toString(36).slice(2)}`;\ndrawn\n```\n';

let dir: string;
let server: RunningServer;
const cookies: Record<string, string> = {};
const logged: unknown[] = [];

before(async () => {
  dir = makeWorkspace({ 'shared.nb.md': SHARED });
  chmodSync(dir, 0o755); // the kernel user (`nobody` when the tests run as root) reads it
  const db = `sqlite:${join(dir, '.quire', 'quire.db')}`;
  const store = await openStore({ workspace: dir });
  const accounts = new Accounts(store.db);
  await accounts.addUser('ada', 'editor', PASSWORD);
  await accounts.addUser('bob', 'editor', PASSWORD);
  await store.close();
  server = await startServer({
    workspace: dir,
    port: 0,
    kernels,
    jobs: false,
    db,
    watchIntervalMs: 100,
    events: memoryEventSink(),
    logError: (e) => logged.push(e),
  });
  for (const name of ['ada', 'bob']) {
    cookies[name] = await accountLogin(server.url, name, PASSWORD);
  }
});

after(async () => {
  await server.close();
  removeWorkspace(dir);
  assert.deepEqual(logged, [], 'no unexpected server error');
});

type Note = Record<string, unknown>;
const isOk = (cellId: string) => (n: Note) =>
  n.type === 'cellStatus' && n.cellId === cellId && n.status === 'ok';
const codeCell = (snap: Note): string =>
  (snap.cells as { id: string; kind: string }[]).find((c) => c.kind === 'code')!.id;
const drawnIn = (n: Note | undefined): string | undefined =>
  /value-\d+-\w+/.exec(JSON.stringify(n ?? {}))?.[0];

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

test('two users on one notebook: two sessions, two kernels, and no output crosses between them', async () => {
  const ada = await TestClient.connect(server, cookies.ada!);
  const bob = await TestClient.connect(server, cookies.bob!);
  try {
    const snap = await ada.request({ type: 'open', path: 'shared.nb.md' });
    const cellId = codeCell(snap);
    await bob.request({ type: 'open', path: 'shared.nb.md' });

    ada.send({ type: 'runCell', cellId });
    await ada.until(isOk(cellId));
    const adaValue = drawnIn(ada.received.find((n) => n.type === 'cellOutput'));
    assert.ok(adaValue, 'ada sees her output');

    // Bob's connection heard nothing of ada's run, and his session has no output of it.
    const bobSnap = await bob.request({ type: 'open', path: 'shared.nb.md' });
    assert.ok(!JSON.stringify(bob.received).includes(adaValue), "ada's output never reached bob");
    assert.ok(
      !bob.received.some((n) => n.type === 'cellStatus' || n.type === 'cellOutput'),
      "bob heard no status of ada's run",
    );
    assert.equal(drawnIn(bobSnap), undefined);

    bob.send({ type: 'runCell', cellId });
    await bob.until(isOk(cellId));
    const bobValue = drawnIn(bob.received.find((n) => n.type === 'cellOutput'));
    assert.ok(bobValue && bobValue !== adaValue, 'bob computed his own value');
    assert.ok(!JSON.stringify(ada.received).includes(bobValue), "bob's output never reached ada");

    // Two sessions of one path, each with its own kernel process.
    const sessions = (await server.notebooks.list()).filter((s) => s.path === 'shared.nb.md');
    assert.deepEqual(sessions.map((s) => s.user.name).sort(), ['ada', 'bob']);
    const pids = sessions.map((s) => s.kernelPid);
    assert.ok(pids.every((pid) => typeof pid === 'number'));
    assert.notEqual(pids[0], pids[1]);
    assert.equal(await gauge('quire_sessions'), 2);
    assert.equal(await gauge('quire_kernels'), 2);

    // A second tab of ada's is on ada's session: it sees her output, not bob's.
    const adaTab = await TestClient.connect(server, cookies.ada!);
    try {
      const tabSnap = await adaTab.request({ type: 'open', path: 'shared.nb.md' });
      assert.equal(drawnIn(tabSnap), adaValue);
      assert.equal(await gauge('quire_sessions'), 2, 'no third session for a second tab');
    } finally {
      adaTab.socket.close();
    }
  } finally {
    ada.socket.close();
    bob.socket.close();
  }
});

test('both users save the one file through its version check: a stale save is a conflict', async () => {
  const ada = await TestClient.connect(server, cookies.ada!);
  const bob = await TestClient.connect(server, cookies.bob!);
  try {
    const adaSnap = await ada.request({ type: 'open', path: 'shared.nb.md' });
    const bobSnap = await bob.request({ type: 'open', path: 'shared.nb.md' });
    const cellId = codeCell(adaSnap);
    const bobCell = codeCell(bobSnap);
    assert.equal(adaSnap.version, bobSnap.version);
    // Bob edits (unsaved) while ada edits and saves: edits no longer travel between users.
    await bob.request({ type: 'editCell', cellId: bobCell, source: 'const drawn = "bob";\ndrawn' });
    const mark = bob.received.length;
    await ada.request({ type: 'editCell', cellId, source: 'const drawn = "ada";\ndrawn' });
    const saved = await ada.request({ type: 'save', baseVersion: adaSnap.version as string });
    assert.equal(saved.type, 'saved');
    assert.ok(
      !bob.received
        .slice(mark)
        .some((n) => JSON.stringify(n).includes('"ada"') && n.type !== 'externalChange'),
      "ada's edit did not reach bob's session",
    );
    // Bob's session hears of the save as of any change on disk (his edits are unsaved).
    const change = await bob.until((n) => n.type === 'externalChange', { after: mark });
    assert.equal(change.version, saved.version);
    const conflict = await bob.request({ type: 'save', baseVersion: bobSnap.version as string });
    assert.equal(conflict.type, 'conflict');
    assert.equal(conflict.currentVersion, saved.version);
  } finally {
    ada.socket.close();
    bob.socket.close();
  }
});
