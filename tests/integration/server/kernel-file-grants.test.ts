/**
 * A kernel's file access follows its user's grants, against a real server in accounts mode with
 * real kernels (dist/: `npm run build` first): a runner whose grants leave out `team/` runs an
 * open notebook whose cell reads `team/secret.csv` and gets nothing of it, while a member of the
 * team's group reads it; a grant given while the runner's kernel is up stops that kernel within a
 * reload of the rules and the next run reads the file; the grant revoked, the same again the other
 * way; the runner promoted to admin reads everything, demoted again reads nothing of `team/`.
 * Before kernels knew their user's grants, the first read already returned the secret.
 */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { deleteGrant, insertGrant } from '../../../src/auth/grants-store.js';
import { replaceGroups } from '../../../src/auth/groups.js';
import { findUser } from '../../../src/auth/users.js';
import { ProcessKernel } from '../../../src/kernel/host.js';
import type { KernelFactory } from '../../../src/kernel/types.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { accountLogin, makeWorkspace, removeWorkspace, withCsrf } from './helpers.js';
import { TestClient } from './ws-client.js';

const PASSWORD = 'correct horse battery';
const SECRET = 'salary-4242';
const kernels: KernelFactory = (spec) => new ProcessKernel({ ...spec, startTimeoutMs: 90_000 });
// The cell prints what it reads, or the error's code: either way the output says what it saw.
const READER = [
  '# Reader',
  '',
  '```ts name=seen',
  'import { readFileSync } from "node:fs";',
  'let seen;',
  'try { seen = readFileSync("team/secret.csv", "utf8").trim(); } catch (e) { seen = "refused " + e.code; }',
  'seen',
  '```',
  '',
].join('\n');

let dir: string;
let server: RunningServer;
const cookies: Record<string, string> = {};
const logged: unknown[] = [];

before(async () => {
  dir = makeWorkspace({
    'reader.nb.md': READER,
    'team/secret.csv': `${SECRET}\n`,
    'team/plan.nb.md': '# Plan\n',
  });
  chmodSync(dir, 0o755); // the kernel user (`nobody` when the tests run as root) reads it
  const store = await openStore({ workspace: dir });
  const accounts = new Accounts(store.db);
  await accounts.addUser('rue', 'runner', PASSWORD);
  await accounts.addUser('tia', 'runner', PASSWORD);
  await accounts.addUser('adm', 'admin', PASSWORD);
  const tia = await findUser(store.db, { name: 'tia' });
  await replaceGroups(store.db, tia!.account.id, ['team']);
  await insertGrant(store.db, {
    subject: { kind: 'group', name: 'team' },
    path: 'team/',
    level: 'run',
    createdBy: null,
    now: Date.now(),
  });
  await store.close();
  server = await startServer({
    workspace: dir,
    port: 0,
    kernels,
    jobs: false,
    db: `sqlite:${join(dir, '.quire', 'quire.db')}`,
    rulesTtlMs: 200,
    watchIntervalMs: 100,
    events: memoryEventSink(),
    logError: (e) => logged.push(e),
  });
  for (const name of ['rue', 'tia']) cookies[name] = await accountLogin(server.url, name, PASSWORD);
});

after(async () => {
  await server?.close();
  removeWorkspace(dir);
  assert.deepEqual(logged, [], 'no unexpected server error');
});

type Note = Record<string, unknown>;
const codeCell = (snap: Note): string =>
  (snap.cells as { id: string; kind: string }[]).find((c) => c.kind === 'code')!.id;

/** Runs the reader's cell and returns what its output says it saw. */
async function runReader(client: TestClient, cellId: string): Promise<string> {
  const from = client.received.length;
  client.send({ type: 'runCell', cellId });
  const done = await client.until(
    (n) => n.type === 'cellStatus' && n.cellId === cellId && (n.status === 'ok' || n.status === 'error'),
    { after: from, ms: 60_000 },
  );
  assert.equal(done.status, 'ok', JSON.stringify(done));
  const output = client.received.slice(from).find((n) => n.type === 'cellOutput' && n.cellId === cellId);
  return JSON.stringify(output ?? {});
}

const kernelOf = async (name: string) =>
  (await server.notebooks.list()).find((s) => s.user.name === name && s.path === 'reader.nb.md')?.kernelPid;

async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("a runner's kernel cannot read a folder they were not granted; a member's can", async () => {
  const rue = await TestClient.connect(server, cookies.rue!);
  const tia = await TestClient.connect(server, cookies.tia!);
  try {
    const cellId = codeCell(await rue.request({ type: 'open', path: 'reader.nb.md' }));
    await tia.request({ type: 'open', path: 'reader.nb.md' });
    const rueSaw = await runReader(rue, cellId);
    assert.doesNotMatch(rueSaw, new RegExp(SECRET));
    assert.match(rueSaw, /refused E(NOENT|RR_ACCESS_DENIED)/);
    assert.match(await runReader(tia, cellId), new RegExp(SECRET));
  } finally {
    rue.close();
    tia.close();
  }
});

test('a grant given or revoked, or a role changed, stops the kernel that saw otherwise; the next run sees the change', async () => {
  const rue = await TestClient.connect(server, cookies.rue!);
  try {
    const cellId = codeCell(await rue.request({ type: 'open', path: 'reader.nb.md' }));
    assert.doesNotMatch(await runReader(rue, cellId), new RegExp(SECRET));
    const before = await kernelOf('rue');
    assert.ok(before !== undefined, 'a kernel is up');

    const rueId = (await findUser(server.store.db, { name: 'rue' }))!.account.id;
    const grant = await insertGrant(server.store.db, {
      subject: { kind: 'user', id: rueId },
      path: 'team/',
      level: 'read',
      createdBy: null,
      now: Date.now(),
    });
    await until(async () => (await kernelOf('rue')) === undefined, 'the kernel stops after the grant');
    assert.match(await runReader(rue, cellId), new RegExp(SECRET));

    await deleteGrant(server.store.db, grant.id);
    await until(async () => (await kernelOf('rue')) === undefined, 'the kernel stops after the revoke');
    assert.doesNotMatch(await runReader(rue, cellId), new RegExp(SECRET));

    const accounts = new Accounts(server.store.db);
    await accounts.setRole('rue', 'admin');
    await until(async () => (await kernelOf('rue')) === undefined, 'the kernel stops after the promotion');
    assert.match(await runReader(rue, cellId), new RegExp(SECRET));
    await accounts.setRole('rue', 'runner');
    await until(async () => (await kernelOf('rue')) === undefined, 'the kernel stops after the demotion');
    assert.doesNotMatch(await runReader(rue, cellId), new RegExp(SECRET));
  } finally {
    rue.close();
  }
});

test("a queued run reads as its owner: the runner's run gets nothing of team/, the member's reads it", async () => {
  // A second server on the same store, executing runs: a run queued through the API has its
  // submitter as owner, and the worker starts its kernel with the owner's file access.
  const runner = await startServer({
    workspace: dir,
    port: 0,
    kernels,
    db: `sqlite:${join(dir, '.quire', 'quire.db')}`,
    events: memoryEventSink(),
    logError: (e) => logged.push(e),
  });
  try {
    const seenBy = async (name: string): Promise<string> => {
      const cookie = await accountLogin(runner.url, name, PASSWORD);
      const queued = await fetch(`${runner.url}/api/runs`, {
        method: 'POST',
        headers: { ...withCsrf(cookie), 'content-type': 'application/json', origin: runner.url },
        body: JSON.stringify({ path: 'reader.nb.md' }),
      });
      assert.equal(queued.status, 202, await queued.clone().text());
      const { run } = (await queued.json()) as { run: { id: string } };
      let detail: { run: { status: string; error?: string }; record: unknown } | undefined;
      await until(
        async () => {
          const answer = await fetch(`${runner.url}/api/runs/${run.id}`, { headers: { cookie } });
          detail = (await answer.json()) as typeof detail;
          return !['queued', 'running'].includes(detail!.run.status);
        },
        `the run of ${name} ends`,
        90_000,
      );
      assert.equal(detail!.run.status, 'ok', detail!.run.error);
      return JSON.stringify(detail!.record);
    };
    const rueSaw = await seenBy('rue');
    assert.doesNotMatch(rueSaw, new RegExp(SECRET));
    assert.match(rueSaw, /refused E(NOENT|RR_ACCESS_DENIED)/);
    assert.match(await seenBy('tia'), new RegExp(SECRET));
  } finally {
    await runner.close();
  }
});

test('a connection whose user lost read access hears nothing more of that notebook', async () => {
  const tia = await TestClient.connect(server, cookies.tia!);
  const tiaId = (await findUser(server.store.db, { name: 'tia' }))!.account.id;
  try {
    const opened = await tia.request({ type: 'open', path: 'team/plan.nb.md' });
    assert.equal(opened.type, 'snapshot', JSON.stringify(opened));
    await replaceGroups(server.store.db, tiaId, []);
    await server.accessRules.refresh();
    // A change on disk: the session broadcasts the new text to its connections.
    const from = tia.received.length;
    writeFileSync(join(dir, 'team/plan.nb.md'), '# Plan\n\nNEW-PLAN-TEXT\n');
    const said = await tia.until((n) => n.type === 'error' || n.type === 'snapshot', {
      after: from,
      ms: 10_000,
    });
    assert.equal(said.type, 'error', JSON.stringify(said));
    assert.match(String(said.message), /no longer read team\/plan\.nb\.md/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.doesNotMatch(JSON.stringify(tia.received.slice(from)), /NEW-PLAN-TEXT/);
    // Its commands find no notebook any more.
    const refused = await tia.request({ type: 'runAll' });
    assert.equal(refused.type, 'error', JSON.stringify(refused));
  } finally {
    tia.close();
    await replaceGroups(server.store.db, tiaId, ['team']);
    await server.accessRules.refresh();
  }
});
