// `quire grants …`, `quire users … --group / groups` and `quire notebooks lock|unlock` through the
// real CLI (bin/quire.js: `npm run build` first), on the workspace's embedded store and on a fresh
// PostgreSQL database: what they store, their errors (each names its field), their audit entries,
// and a running `quire serve` applying a change made by the CLI within its snapshot's TTL.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { loadAccessRules } from '../../../src/auth/grants-store.js';
import { levelOn } from '../../../src/auth/grants.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { startServer } from '../../../src/server/server.js';
import type { Db } from '../../../src/store/db.js';
import { openStore } from '../../../src/store/open.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';
import { makeWorkspace, removeWorkspace, runCli, type CliResult } from './helpers.js';

const PASSWORD = 'correct horse battery staple';
const NOTEBOOK = '---\ntitle: T\n---\n\n```ts\n1\n```\n';

let ws: string;
before(() => {
  ws = makeWorkspace({ 'team/a.nb.md': NOTEBOOK, 'free/b.nb.md': NOTEBOOK });
  mkdirSync(join(ws, 'real'));
  symlinkSync(join(ws, 'team'), join(ws, 'alias'));
});
after(() => removeWorkspace(ws));

const quire = (args: string[], input?: string): Promise<CliResult> =>
  runCli(args, { cwd: ws, ...(input === undefined ? {} : { input }) });

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

/** Runs the whole scenario against one store (`db`: undefined for the workspace's SQLite). */
function scenario(db: () => string | undefined) {
  const withDb = (args: string[]) => {
    const url = db();
    return url === undefined ? args : [...args, '--db', url];
  };
  const run = (args: string[], input?: string) => quire(withDb(args), input);

  test('users: --group on add (repeatable, comma lists), users groups to show, set and clear', async () => {
    ok(await run(['users', 'add', 'ada', '--admin'], PASSWORD));
    const rae = ok(
      await run(
        ['users', 'add', 'rae', '--role', 'editor', '--group', 'data', '--group', 'ops,data'],
        PASSWORD,
      ),
    );
    assert.equal(rae.stdout, 'added user rae (editor; groups data, ops)\n');
    ok(await run(['users', 'add', 'out', '--role', 'editor'], PASSWORD));
    assert.equal(ok(await run(['users', 'groups', 'rae'])).stdout, 'rae is in data, ops\n');
    const listed = JSON.parse(ok(await run(['users', 'list', '--json'])).stdout) as {
      name: string;
      groups: string[];
    }[];
    assert.deepEqual(listed.find((u) => u.name === 'rae')?.groups, ['data', 'ops']);
    assert.match(ok(await run(['users', 'list'])).stdout, /\nrae\s+editor\s+active\s.*\sdata,ops\n/);
    assert.equal(ok(await run(['users', 'groups', 'out', 'ops'])).stdout, 'out is now in ops\n');
    assert.equal(ok(await run(['users', 'groups', 'out', ''])).stdout, 'out is now in no group\n');
    const bad = await run(['users', 'groups', 'rae', 'Data!']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /GROUPS: a group name is 1–64 lowercase letters/);
    const badAdd = await run(['users', 'add', 'cy', '--role', 'viewer', '--group', 'A B'], PASSWORD);
    assert.equal(badAdd.code, 2);
    assert.match(badAdd.stderr, /--group: a group name/);
    const unknown = await run(['users', 'groups', 'nobody', 'data']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no user named "nobody"/);
  });

  test('grants add: a folder, a notebook, the workspace; the first grant on an open path says it restricts it', async () => {
    const folder = ok(await run(['grants', 'add', 'team/', '--group', 'data', '--level', 'run']));
    assert.match(folder.stdout, /^g_[0-9a-f]{16}: group data may run team\/\n$/);
    assert.match(folder.stderr, /team\/ was open and is now restricted/);
    const again = ok(await run(['grants', 'add', 'team/', '--user', 'out', '--level', 'read']));
    assert.equal(again.stderr, '', 'team/ was already restricted');
    ok(await run(['grants', 'add', 'free/b.nb.md', '--everyone', '--level', 'read']));
    // A symlinked folder is granted under the folder it points to (the server matches real paths).
    const alias = ok(await run(['grants', 'add', 'alias/', '--user', 'rae', '--level', 'edit']));
    assert.match(alias.stdout, /user rae may edit team\/\n$/);
    const rules = await withStore(db(), loadAccessRules);
    const ids = await withStore(db(), async (d) => {
      const accounts = new Accounts(d);
      return { rae: (await accounts.user('rae')).id, out: (await accounts.user('out')).id };
    });
    assert.equal(levelOn(rules, ids.rae, 'team/a.nb.md'), 'edit');
    assert.equal(levelOn(rules, ids.out, 'team/a.nb.md'), 'read');
    assert.equal(levelOn(rules, 'u_someone', 'team/a.nb.md'), 'none');
    assert.equal(levelOn(rules, 'u_someone', 'free/b.nb.md'), 'read');
    assert.equal(levelOn(rules, 'u_someone', 'free/c.nb.md'), 'open');
  });

  test('grants add refuses bad input, naming the field', async () => {
    const cases: [string[], RegExp][] = [
      [['grants', 'add', 'team', '--everyone', '--level', 'read'], /: path: a grant is on the workspace/m],
      [
        ['grants', 'add', '../x/', '--everyone', '--level', 'read'],
        /: path: path "\.\.\/x" is refused: it contains a "\.\." segment/m,
      ],
      [['grants', 'add', '/etc/', '--everyone', '--level', 'read'], /: path: .*it is absolute/m],
      [
        ['grants', 'add', 'team/', '--everyone', '--level', 'write'],
        /: --level: expected one of read, run, edit, got "write"/m,
      ],
      [['grants', 'add', 'team/', '--everyone'], /: --level: give one of read, run, edit/m],
      [
        ['grants', 'add', 'team/', '--level', 'read'],
        /: subject: give exactly one of --user NAME, --group NAME, --everyone/m,
      ],
      [
        ['grants', 'add', 'team/', '--user', 'rae', '--everyone', '--level', 'read'],
        /: subject: give exactly one/m,
      ],
      [
        ['grants', 'add', 'team/', '--user', 'nobody', '--level', 'read'],
        /: --user: no user named "nobody"/m,
      ],
      [['grants', 'add', 'team/', '--group', 'Bad Name', '--level', 'read'], /: --group: a group name/m],
      [
        ['grants', 'add', 'team/', '--group', 'data', '--level', 'read'],
        /: path: this subject already has grant g_[0-9a-f]+ \(run\) on "team\/"/m,
      ],
      [['grants', 'rm', 'g_nope'], /: id: no grant "g_nope"/m],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  test('grants list (all, one path, --json) and rm', async () => {
    const table = ok(await run(['grants', 'list']));
    assert.match(table.stdout, /^ID\s+PATH\s+SUBJECT\s+LEVEL\s+BY\s+CREATED\n/);
    assert.match(table.stdout, /free\/b\.nb\.md\s+everyone\s+read/);
    assert.match(table.stdout, /team\/\s+group data\s+run/);
    assert.match(table.stdout, /team\/\s+user rae\s+edit/);
    const json = JSON.parse(ok(await run(['grants', 'list', 'team/', '--json'])).stdout) as {
      id: string;
      path: string;
      subject: { kind: string };
      subjectName: string;
      level: string;
    }[];
    assert.deepEqual(
      json.map((g) => [g.path, g.subject.kind, g.subjectName, g.level]),
      [
        ['team/', 'group', 'data', 'run'],
        ['team/', 'user', 'out', 'read'],
        ['team/', 'user', 'rae', 'edit'],
      ],
    );
    const outGrant = json.find((g) => g.subjectName === 'out')!;
    const removed = ok(await run(['grants', 'rm', outGrant.id]));
    assert.equal(removed.stdout, `removed ${outGrant.id} (user out read on team/)\n`);
    assert.equal(JSON.parse(ok(await run(['grants', 'list', 'team/', '--json'])).stdout).length, 2);
  });

  test('notebooks lock and unlock', async () => {
    assert.equal(
      ok(await run(['notebooks', 'lock', 'team/a.nb.md', '--reason', 'published'])).stdout,
      'locked team/a.nb.md\n',
    );
    assert.equal(
      ok(await run(['notebooks', 'lock', 'alias/a.nb.md'])).stdout,
      'team/a.nb.md was already locked\n',
    );
    assert.equal((await withStore(db(), loadAccessRules)).locked.get('team/a.nb.md')?.reason, 'published');
    const notNotebook = await run(['notebooks', 'lock', 'team/']);
    assert.equal(notNotebook.code, 2);
    assert.match(notNotebook.stderr, /: path: a notebook path ends with \.nb\.md/m);
    assert.equal(ok(await run(['notebooks', 'unlock', 'team/a.nb.md'])).stdout, 'unlocked team/a.nb.md\n');
    const notLocked = await run(['notebooks', 'unlock', 'team/a.nb.md']);
    assert.equal(notLocked.code, 2);
    assert.match(notLocked.stderr, /: path: team\/a\.nb\.md is not locked/m);
    assert.equal((await withStore(db(), loadAccessRules)).locked.size, 0);
  });

  test('every change above is an audit entry; the chain verifies', async () => {
    const audit = ok(await run(['audit', '--json', '--limit', '1000']));
    const entries = JSON.parse(audit.stdout) as {
      event: string;
      via: string;
      resource: Record<string, string>;
      detail: Record<string, unknown>;
    }[];
    const count = (event: string) => entries.filter((e) => e.event === event).length;
    assert.equal(count('grant.added'), 4);
    assert.equal(count('grant.removed'), 1);
    assert.equal(count('user.groups-changed'), 3, 'rae on add, out set, out cleared');
    assert.equal(count('notebook.locked'), 1, 'locking a locked notebook changes nothing');
    assert.equal(count('notebook.unlocked'), 1);
    const added = entries.find((e) => e.event === 'grant.added')!;
    assert.equal(added.resource.kind, 'grant');
    assert.deepEqual(
      { path: added.detail.path, subject: added.detail.subject, level: added.detail.level },
      { path: 'team/', subject: 'group data', level: 'run' },
    );
    const locked = entries.find((e) => e.event === 'notebook.locked')!;
    assert.deepEqual(locked.resource, { kind: 'notebook', path: 'team/a.nb.md' });
    assert.equal(locked.detail.reason, 'published');
    assert.ok(entries.every((e) => e.via === 'cli'));
    ok(await run(['audit', 'verify']));
  });
}

async function withStore<T>(url: string | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  const store = await openStore({ workspace: ws, ...(url ? { url } : {}) });
  try {
    return await fn(store.db);
  } finally {
    await store.close();
  }
}

describe('on the workspace store (SQLite)', () => scenario(() => undefined));

describe('on PostgreSQL (--db)', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });
  scenario(() => database.url);
});

test('a running server applies a grant and a lock made by the CLI within its reload interval', async (t) => {
  const server = await startServer({
    workspace: ws,
    port: 0,
    jobs: false,
    events: memoryEventSink(),
    rulesTtlMs: 200,
  });
  t.after(() => server.close());
  const token = await withStore(
    undefined,
    async (d) => (await new Accounts(d).createToken('out', 'edit')).token,
  );
  const auth = { authorization: `Bearer ${token}` };
  const read = () => fetch(`${server.url}/api/notebooks/free/b.nb.md`, { headers: auth });
  // free/b.nb.md is granted to everyone (read): out reads it, cannot save it.
  assert.equal((await read()).status, 200);
  const save = () =>
    fetch(`${server.url}/api/notebooks/free/b.nb.md`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ text: NOTEBOOK, baseVersion: null }),
    });
  assert.equal((await save()).status, 403);
  const grant = JSON.parse(ok(await quire(['grants', 'list', 'free/b.nb.md', '--json'])).stdout)[0] as {
    id: string;
  };
  ok(await quire(['grants', 'rm', grant.id]));
  ok(await quire(['notebooks', 'lock', 'free/b.nb.md']));
  // The grant is gone (the path is open: the editor role applies) and the lock refuses the save.
  await until(async () => (await save()).status === 403 && (await read()).status === 200);
  ok(await quire(['grants', 'add', 'free/', '--user', 'rae', '--level', 'read']));
  await until(async () => (await read()).status === 403);
  ok(await quire(['notebooks', 'unlock', 'free/b.nb.md']));
});

/** Polls `check` every 50 ms for at most 3 s (the server's reload is every 200 ms). */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, 'the change did not apply within 3 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}
