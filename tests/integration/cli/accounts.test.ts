// `quire users …` and `quire token …` through the real CLI (bin/quire.js: `npm run build` first),
// on the workspace's embedded store and on a fresh PostgreSQL database. Passwords go in on standard
// input only: no test puts one in argv, and none may come back in any output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { openStore } from '../../../src/store/open.js';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';
import { cliPath, makeWorkspace, removeWorkspace, runCli, waitFor, type CliResult } from './helpers.js';
import { loginForm } from '../server/helpers.js';

const PASSWORD = 'correct horse battery staple';

let ws: string;
before(() => {
  ws = makeWorkspace();
});
after(() => removeWorkspace(ws));

/** Runs the CLI in the workspace; fails the test if a password it knows of shows up anywhere. */
async function quire(args: string[], input?: string, secrets: string[] = [PASSWORD]): Promise<CliResult> {
  for (const secret of secrets)
    assert.ok(!args.includes(secret), 'a password never goes on the command line');
  const r = await runCli(args, { cwd: ws, ...(input === undefined ? {} : { input }) });
  for (const secret of secrets) {
    assert.ok(!r.stdout.includes(secret), `stdout shows a password: ${r.stdout}`);
    assert.ok(!r.stderr.includes(secret), `stderr shows a password: ${r.stderr}`);
  }
  return r;
}

/** The workspace's own store, opened in this process the way `quire serve` will. */
async function withWorkspaceAccounts<T>(fn: (accounts: Accounts) => Promise<T>): Promise<T> {
  const store = await openStore({ workspace: ws });
  try {
    return await fn(new Accounts(store.db));
  } finally {
    await store.close();
  }
}

describe('quire users', () => {
  test('add reads the password from stdin; list shows users, never hashes', async () => {
    const added = await quire(['users', 'add', 'ada', '--admin'], `${PASSWORD}\n`);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'added user ada (admin)\n');
    assert.equal((await quire(['users', 'add', 'bob', '--role', 'viewer'], 'bobs password')).code, 0);
    const table = await quire(['users', 'list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+ROLE\s+STATUS/);
    assert.match(table.stdout, /\nada\s+admin\s+active/);
    assert.match(table.stdout, /\nbob\s+viewer\s+active/);
    const json = await quire(['users', 'list', '--json']);
    const users = JSON.parse(json.stdout) as { name: string; role: string }[];
    assert.deepEqual(
      users.map((u) => [u.name, u.role]),
      [
        ['ada', 'admin'],
        ['bob', 'viewer'],
      ],
    );
    assert.ok(!json.stdout.includes('argon2'), 'no hash in the listing');
    // the trailing newline was not part of the password
    const login = await withWorkspaceAccounts((a) => a.login('ada', PASSWORD, '127.0.0.1'));
    assert.ok(login.ok);
  });

  test('bad input is exit 2 with one message: a password in argv, none on stdin, 1 MB, a taken name, a bad role', async () => {
    const inArgv = await runCli(['users', 'add', 'carol', 'hunter2hunter2', '--role', 'viewer'], {
      cwd: ws,
      input: 'x',
    });
    assert.equal(inArgv.code, 2);
    assert.match(inArgv.stderr, /expected one user name \(the password comes on standard input\)/);
    assert.ok(!inArgv.stderr.includes('hunter2hunter2'), 'the refusal does not repeat it');
    const none = await quire(['users', 'add', 'carol', '--role', 'viewer'], '');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no password on standard input/);
    const huge = await quire(['users', 'add', 'carol', '--role', 'viewer'], 'x'.repeat(1024 * 1024));
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /at most 1024 bytes/);
    const short = await quire(['users', 'add', 'carol', '--role', 'viewer'], 'short');
    assert.equal(short.code, 2);
    assert.match(short.stderr, /at least 8 characters/);
    const taken = await quire(['users', 'add', 'ada', '--role', 'viewer'], PASSWORD);
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /a user named "ada" already exists/);
    const role = await quire(['users', 'add', 'carol', '--role', 'owner'], PASSWORD);
    assert.equal(role.code, 2);
    assert.match(role.stderr, /--role: expected one of viewer, runner, editor, admin/);
    const noRole = await quire(['users', 'add', 'carol'], PASSWORD);
    assert.equal(noRole.code, 2);
    assert.match(noRole.stderr, /give --role/);
    const unknown = await quire(['users', 'frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown subcommand "frobnicate"/);
    const users = await quire(['users', 'list', '--json']);
    assert.ok(!users.stdout.includes('carol'), 'nothing was added');
  });

  test('passwd sets a new password and ends every session of that user', async () => {
    const sessions = await withWorkspaceAccounts(async (a) => [
      await a.login('bob', 'bobs password', '127.0.0.1'),
      await a.login('bob', 'bobs password', '127.0.0.2'),
    ]);
    assert.ok(sessions.every((s) => s.ok));
    const NEW = 'bobs new password';
    const r = await quire(['users', 'passwd', 'bob'], `${NEW}\n`, [NEW, 'bobs password']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'changed the password of bob; 2 login sessions ended\n');
    await withWorkspaceAccounts(async (a) => {
      for (const s of sessions) assert.equal(await a.sessionUser(s.ok ? s.sessionId : ''), undefined);
      assert.equal((await a.login('bob', 'bobs password', '127.0.0.3')).ok, false);
      assert.equal((await a.login('bob', NEW, '127.0.0.3')).ok, true);
    });
    const unknown = await quire(['users', 'passwd', 'nobody'], PASSWORD);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no user named "nobody"/);
  });

  test('role, disable and enable; the last admin stays', async () => {
    const last = await quire(['users', 'disable', 'ada']);
    assert.equal(last.code, 2);
    assert.match(last.stderr, /ada is the last admin/);
    assert.equal((await quire(['users', 'role', 'bob', 'editor'])).code, 0);
    const disabled = await quire(['users', 'disable', 'bob']);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match((await quire(['users', 'list'])).stdout, /\nbob\s+editor\s+disabled/);
    assert.equal((await quire(['users', 'enable', 'bob'])).code, 0);
    assert.match((await quire(['users', 'list'])).stdout, /\nbob\s+editor\s+active/);
  });
});

describe('quire token', () => {
  test('create prints the token once; list never shows it; the token works until revoked', async () => {
    const created = await quire(['token', 'create', '--user', 'ada', '--scope', 'run', '--expires', '7d']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^qk_[A-Za-z0-9_-]{43}$/);
    const id = /token (tok_[0-9a-f]+) for ada, scope run, expires /.exec(created.stderr)?.[1];
    assert.ok(id, created.stderr);
    assert.ok(!created.stderr.includes(token), 'the token is printed once');
    const listed = await quire(['token', 'list'], undefined, [PASSWORD, token]);
    assert.match(listed.stdout, new RegExp(`${id}\\s+ada\\s+run\\s+active`));
    const json = await quire(['token', 'list', '--json', '--user', 'ada'], undefined, [PASSWORD, token]);
    const tokens = JSON.parse(json.stdout) as { id: string; expiresAt: number; createdAt: number }[];
    const mine = tokens.find((t) => t.id === id);
    assert.equal(mine && mine.expiresAt - mine.createdAt, 7 * 24 * 3_600_000);
    const used = await withWorkspaceAccounts((a) => a.tokenUser(token));
    assert.deepEqual(used && [used.account.name, used.scope], ['ada', 'run']);
    const revoked = await quire(['token', 'revoke', id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `revoked ${id}\n`);
    assert.equal(await withWorkspaceAccounts((a) => a.tokenUser(token)), undefined);
    assert.match((await quire(['token', 'list'])).stdout, new RegExp(`${id}\\s+ada\\s+run\\s+revoked`));
  });

  test('--json gives the token with its id; bad scope, lifetime, user or id are exit 2', async () => {
    const made = await quire(['token', 'create', '--user', 'ada', '--scope', 'read', '--json']);
    assert.equal(made.code, 0, made.stderr);
    const out = JSON.parse(made.stdout) as { id: string; token: string; scope: string; expiresAt: number };
    assert.equal(out.scope, 'read');
    assert.match(out.token, /^qk_/);
    for (const [args, message] of [
      [['--user', 'ada', '--scope', 'root'], /--scope: expected one of read, run, edit, admin/],
      [['--user', 'ada', '--scope', 'read', '--expires', '400d'], /at most 366d/],
      [['--user', 'ada', '--scope', 'read', '--expires', 'forever'], /expected a lifetime such as 30d/],
      [['--user', 'nobody', '--scope', 'read'], /no user named "nobody"/],
      [['--scope', 'read'], /give --user NAME/],
      [['--user', 'ada'], /give --scope/],
    ] as const) {
      const r = await quire(['token', 'create', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '', 'no token printed');
    }
    await quire(['users', 'add', 'vic', '--role', 'viewer'], PASSWORD);
    const above = await quire(['token', 'create', '--user', 'vic', '--scope', 'edit']);
    assert.equal(above.code, 2);
    assert.match(above.stderr, /a viewer cannot hold a token with scope edit/);
    const unknown = await quire(['token', 'revoke', 'tok_0000']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no token "tok_0000"/);
  });
});

describe('the audit log of quire users and quire token', () => {
  test('every change made above is an entry, with no password, hash or token in it', async () => {
    const audit = await quire(['audit', '--json', '--limit', '1000']);
    assert.equal(audit.code, 0, audit.stderr);
    const entries = JSON.parse(audit.stdout) as {
      event: string;
      via: string;
      resource: { kind: string; name?: string; id?: string };
      detail: Record<string, unknown>;
    }[];
    const events = entries.map((e) => e.event);
    for (const event of [
      'user.added',
      'user.password-changed',
      'user.role-changed',
      'user.disabled',
      'user.enabled',
      'token.created',
      'token.revoked',
    ])
      assert.ok(events.includes(event), `${event} is recorded: ${events.join(', ')}`);
    assert.ok(entries.every((e) => e.via === 'cli'));
    const created = entries.find((e) => e.event === 'token.created')!;
    assert.equal(created.resource.kind, 'token');
    assert.match(created.resource.id ?? '', /^tok_[0-9a-f]+$/);
    assert.doesNotMatch(audit.stdout, /qk_|argon2|\$argon/, 'no token or password hash');
    assert.equal((await quire(['audit', 'verify'])).code, 0);
  });
});

describe('quire users and quire token --db postgres://…', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });

  test('users and tokens live in the PostgreSQL store', async () => {
    const added = await quire(['users', 'add', 'pat', '--role', 'editor', '--db', database.url], PASSWORD);
    assert.equal(added.code, 0, added.stderr);
    const made = await quire(['token', 'create', '--user', 'pat', '--scope', 'edit', '--db', database.url]);
    assert.equal(made.code, 0, made.stderr);
    const listed = await quire(['users', 'list', '--json', '--db', database.url]);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { name: string }[]).map((u) => u.name),
      ['pat'],
    );
    const store = await openStore({ workspace: join(ws, 'unused'), url: database.url });
    try {
      const accounts = new Accounts(store.db);
      assert.equal((await accounts.tokenUser(made.stdout.trim()))?.account.name, 'pat');
      assert.ok((await accounts.login('pat', PASSWORD, '127.0.0.1')).ok);
    } finally {
      await store.close();
    }
  });
});

describe('quire serve with users in the store', () => {
  test('prints the login form URL (no token); a name and password log in; SIGTERM stops it', async () => {
    const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0'], {
      cwd: ws,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      assert.ok(await waitFor(() => (/Ctrl-C to stop/.test(out) ? true : undefined), 20_000), out);
      const url =
        /(http:\/\/127\.0\.0\.1:\d+)\/login {2}\(accounts: log in with your name and password\)/.exec(
          out,
        )?.[1];
      assert.ok(url, out);
      assert.ok(!/token=/.test(out), 'no login token is printed');
      const { cookie: formCookie, csrf } = await loginForm(url);
      const login = await fetch(`${url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, cookie: formCookie },
        body: new URLSearchParams({ name: 'ada', password: PASSWORD, csrf }).toString(),
      });
      assert.equal(login.status, 302);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      assert.equal((await fetch(`${url}/api/notebooks`, { headers: { cookie } })).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
