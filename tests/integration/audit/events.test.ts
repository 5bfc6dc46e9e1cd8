/**
 * The events of issue 10 item 5, each read back from the store's audit log (dist/: `npm run build`
 * first; real kernels, a real server on a random port, the real CLI):
 * - `quire run`: each secret a cell is given is a `secret.read` (via cli, from the environment),
 *   once per cell;
 * - the server: `notebook.opened` (the WebSocket open), `secret.read` of an editor's run (the user
 *   who ran it, the session), `export` (the run report), `schedule.changed` by a save, by a change
 *   on disk and by a delete, `notebook.deleted` (a stale version is refused, the file moves to the
 *   trash, the open session hears it); a secret value typed into a cell's name is stored
 *   [REDACTED];
 * - `quire worker`: `run.started`, `secret.read`, `run.finished`, via worker.
 * No entry anywhere holds the secret's value, and the chain verifies.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AuditLog } from '../../../src/audit/log.js';
import type { AuditEntry } from '../../../src/audit/schema.js';
import { ProcessKernel } from '../../../src/kernel/host.js';
import { startServer } from '../../../src/server/server.js';
import { versionOf } from '../../../src/server/scan.js';
import { openStore } from '../../../src/store/open.js';
import { cliPath, makeWorkspace, removeWorkspace, runCli } from '../cli/helpers.js';
import { waitFor, withCsrf } from '../server/helpers.js';
import { login, TestClient } from '../server/ws-client.js';

const VALUE = 'tok_4f9a2c7e1b33';
const SECRET_NB = [
  '# Secret',
  '',
  '```ts name=first',
  "const a = secrets.get('API_TOKEN');",
  'console.log(a.length);',
  '```',
  '',
  '```ts name=second',
  "const b = secrets.get('API_TOKEN');",
  'console.log(b.length);',
  '```',
  '',
].join('\n');
const scheduled = (cron: string) =>
  `---\ntitle: S\nschedule: { cron: "${cron}", timezone: Europe/Berlin, retries: 1 }\n---\n\n# S\n`;

let ws: string;

before(() => {
  ws = makeWorkspace({ 'secret.nb.md': SECRET_NB, 'plain.nb.md': '# Plain\n' });
  chmodSync(ws, 0o755);
});
after(() => removeWorkspace(ws));

async function entries(event?: string): Promise<AuditEntry[]> {
  const store = await openStore({ workspace: ws });
  try {
    const audit = new AuditLog(store.db);
    assert.equal((await audit.verify()).ok, true, 'the chain verifies');
    const all = await audit.list({ limit: 10_000 });
    assert.ok(!JSON.stringify(all).includes(VALUE), "no entry holds the secret's value");
    return event ? all.filter((e) => e.event === event) : all;
  } finally {
    await store.close();
  }
}

let cliRunId: string;

test('quire run: each cell given a secret is one secret.read, via cli, from the environment', async () => {
  const result = await runCli(['run', 'secret.nb.md', '--json'], {
    cwd: ws,
    env: { QUIRE_SECRET_API_TOKEN: VALUE },
  });
  assert.equal(result.code, 0, result.stderr);
  cliRunId = result.record!.id;
  const reads = await entries('secret.read');
  assert.deepEqual(
    reads.map((e) => [e.via, e.user, e.resource, e.detail.name, e.detail.origin, e.detail.runId]),
    [
      ['cli', null, { kind: 'run', id: cliRunId, path: 'secret.nb.md' }, 'API_TOKEN', 'env', cliRunId],
      ['cli', null, { kind: 'run', id: cliRunId, path: 'secret.nb.md' }, 'API_TOKEN', 'env', cliRunId],
    ],
  );
  assert.notEqual(reads[0]!.detail.cellId, reads[1]!.detail.cellId, 'one per cell');
});

test(
  'the server: opened, secret.read, export, schedule.changed, deleted, redaction',
  { timeout: 120_000 },
  async () => {
    process.env.QUIRE_SECRET_API_TOKEN = VALUE;
    const server = await startServer({
      workspace: ws,
      port: 0,
      jobs: false,
      watchIntervalMs: 100,
      // 2 cores shared with other suites: a kernel's start may take longer than its default 15 s
      kernels: (spec) => new ProcessKernel({ ...spec, startTimeoutMs: 90_000 }),
    });
    const before = (await entries()).length;
    let client: TestClient | undefined;
    let other: TestClient | undefined;
    try {
      const cookie = await login(server);
      const api = (method: string, path: string, body?: unknown) =>
        fetch(`${server.url}/api/${path}`, {
          method,
          headers: { ...withCsrf(cookie), 'content-type': 'application/json', origin: server.url },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });

      // notebook.opened, and a secret read by a cell the owner ran
      client = await TestClient.connect(server, cookie);
      const snapshot = await client.request({ type: 'open', path: 'secret.nb.md' });
      const [first, second] = (snapshot.cells as { id: string; kind: string }[])
        .filter((c) => c.kind === 'code')
        .map((c) => c.id);
      client.send({ type: 'runCell', cellId: first! });
      await client.until((n) => n.type === 'cellStatus' && n.cellId === first && n.status === 'ok');
      // a secret value typed where user content goes: the entry has it [REDACTED]
      await client.request({ type: 'renameCell', cellId: second!, name: `n_${VALUE}` });

      // export: the report of the CLI's run
      assert.equal((await api('GET', `runs/${cliRunId}/report`)).status, 200);

      // schedule.changed: a save adds one; a change on disk changes it
      assert.equal(
        (await api('PUT', 'notebooks/s.nb.md', { text: scheduled('0 6 * * 1'), baseVersion: null })).status,
        200,
      );
      other = await TestClient.connect(server, cookie);
      await other.request({ type: 'open', path: 's.nb.md' });
      writeFileSync(join(ws, 's.nb.md'), scheduled('30 7 * * *'));
      await waitFor(() => other!.received.some((n) => n.type === 'snapshot' && !('requestId' in n)), 10_000);

      // notebook.deleted: a stale version is refused; the right one moves the file to the trash
      const text = readFileSync(join(ws, 's.nb.md'));
      const stale = await api('DELETE', 'notebooks/s.nb.md', { baseVersion: versionOf(Buffer.from('old')) });
      assert.equal(stale.status, 409);
      assert.equal(((await stale.json()) as { currentVersion: string }).currentVersion, versionOf(text));
      assert.ok(existsSync(join(ws, 's.nb.md')), 'a stale delete deletes nothing');
      const deleted = await api('DELETE', 'notebooks/s.nb.md', { baseVersion: versionOf(text) });
      assert.equal(deleted.status, 200);
      assert.deepEqual(await deleted.json(), { path: 's.nb.md', version: versionOf(text) });
      assert.ok(!existsSync(join(ws, 's.nb.md')));
      const [stamp] = readdirSync(join(ws, '.quire', 'trash'));
      assert.deepEqual(readFileSync(join(ws, '.quire', 'trash', stamp!, 's.nb.md')), text, 'in the trash');
      assert.equal((await api('DELETE', 'notebooks/s.nb.md', { baseVersion: versionOf(text) })).status, 404);
      // the open session hears the file is gone
      await other.until((n) => n.type === 'externalChange' && n.version === null);
    } finally {
      await client?.close();
      await other?.close();
      await server.close();
      delete process.env.QUIRE_SECRET_API_TOKEN;
    }

    const all = (await entries()).slice(before);
    const one = (event: string) => all.filter((e) => e.event === event);
    assert.deepEqual(
      one('notebook.opened').map((e) => [e.user, e.via, e.resource.path]),
      [
        ['owner', 'ws', 'secret.nb.md'],
        ['owner', 'ws', 's.nb.md'],
      ],
    );
    const [read] = one('secret.read');
    assert.equal(one('secret.read').length, 1, 'one cell ran');
    assert.deepEqual(
      [read!.user, read!.via, read!.action, read!.resource, read!.detail.name, read!.detail.origin],
      ['owner', 'ws', 'notebook:execute', { kind: 'notebook', path: 'secret.nb.md' }, 'API_TOKEN', 'env'],
    );
    assert.ok(read!.detail.session && read!.detail.cellId);
    assert.equal(one('cell.renamed')[0]!.detail.name, 'n_[REDACTED]');
    assert.deepEqual(
      one('export').map((e) => [e.user, e.resource, e.detail]),
      [
        [
          'owner',
          { kind: 'run', id: cliRunId, path: 'secret.nb.md' },
          { status: 200, runId: cliRunId, format: 'html' },
        ],
      ],
    );
    assert.deepEqual(
      one('schedule.changed').map((e) => [e.user, e.via, e.resource.path, e.detail]),
      [
        [
          'owner',
          'http',
          's.nb.md',
          {
            change: 'added',
            oldCron: null,
            oldTimezone: null,
            newCron: '0 6 * * 1',
            newTimezone: 'Europe/Berlin',
            fields: ['cron', 'retries', 'timezone'],
          },
        ],
        [
          null,
          'disk',
          's.nb.md',
          {
            change: 'changed',
            oldCron: '0 6 * * 1',
            oldTimezone: 'Europe/Berlin',
            newCron: '30 7 * * *',
            newTimezone: 'Europe/Berlin',
            fields: ['cron'],
          },
        ],
        [
          'owner',
          'http',
          's.nb.md',
          {
            change: 'removed',
            oldCron: '30 7 * * *',
            oldTimezone: 'Europe/Berlin',
            newCron: null,
            newTimezone: null,
            fields: ['cron', 'retries', 'timezone'],
          },
        ],
      ],
    );
    assert.deepEqual(
      one('notebook.deleted').map((e) => [e.user, e.outcome, e.detail.status]),
      [
        ['owner', 'failed', 409],
        ['owner', 'ok', 200],
        ['owner', 'failed', 404],
      ],
    );
  },
);

test(
  'quire worker: run.started, secret.read and run.finished, via worker',
  { timeout: 120_000 },
  async () => {
    const worker = spawn(process.execPath, [cliPath, 'worker'], {
      cwd: ws,
      env: { ...process.env, QUIRE_SECRET_API_TOKEN: VALUE },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    const exited = new Promise<number | null>((r) => worker.on('exit', (code) => r(code)));
    try {
      await waitFor(() => log.includes('"msg":"worker started"'), 30_000);
      const submitted = await runCli(['submit', 'secret.nb.md', '--wait'], { cwd: ws });
      assert.equal(submitted.code, 0, submitted.stderr);
      const runId = /^(run-\S+) ok /.exec(submitted.stdout)![1]!;
      worker.kill('SIGTERM');
      assert.equal(await exited, 0, log);
      assert.ok(!log.includes(VALUE));
      const mine = (await entries()).filter((e) => e.via === 'worker');
      assert.deepEqual(
        mine.map((e) => [e.event, e.resource.id, e.detail.runId, e.detail.name ?? e.detail.status ?? null]),
        [
          ['run.started', runId, runId, null],
          ['secret.read', runId, runId, 'API_TOKEN'],
          ['secret.read', runId, runId, 'API_TOKEN'],
          ['run.finished', runId, runId, 'ok'],
        ],
      );
      assert.equal(mine[0]!.detail.attempt, 1);
      assert.equal(mine[1]!.detail.origin, 'env');
    } finally {
      worker.kill('SIGKILL');
    }
  },
);
