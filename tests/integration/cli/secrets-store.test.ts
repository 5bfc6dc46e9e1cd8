/**
 * The encrypted secret store through the real CLI: `quire secrets set` reads the value from stdin
 * (never argv), `list` shows no value, and a `quire run` whose cell prints the stored secret — as
 * is, in base64, in JSON — records and reports `[REDACTED]`; the raw value is in no file of the run
 * directory, the store's blobs or its database (SQLite, and PostgreSQL with `--db`).
 */
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';
import { spawn } from 'node:child_process';
import type { RunRecord } from '../../../src/runner/record.js';
import {
  cell,
  cliPath,
  makeWorkspace,
  removeWorkspace,
  runCli,
  streamText,
  type CliResult,
} from './helpers.js';

const VALUE = 'sk-stored-7f3a9c2e51b4d8a0';
const FORMS = [
  VALUE,
  Buffer.from(VALUE).toString('base64'),
  Buffer.from(VALUE).toString('base64url'),
  JSON.stringify({ k: VALUE }),
];

const NOTEBOOK = `# Stored secret

\`\`\`js name=leak
const k = secrets.get('API_KEY');
console.log(k);
console.log(Buffer.from(k).toString('base64'));
console.log(JSON.stringify({ k }));
display({ length: k.length, newline: k.endsWith('\\n') });
k
\`\`\`
`;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function assertNoRawValue(texts: Record<string, string | Buffer>): void {
  for (const [where, text] of Object.entries(texts))
    for (const form of FORMS) assert.equal(text.indexOf(form), -1, `${where} holds ${form.slice(0, 12)}…`);
}

describe('quire secrets and quire run with the embedded store', () => {
  let dir: string;
  let set: CliResult;
  let run: CliResult;

  before(async () => {
    dir = makeWorkspace({ 'leak.nb.md': NOTEBOOK });
    // As `echo "$VALUE" | quire secrets set API_KEY` would send it: with a trailing newline.
    set = await runCli(['secrets', 'set', 'API_KEY'], { cwd: dir, input: `${VALUE}\n` });
    run = await runCli(['run', 'leak.nb.md', '--json', '--out', 'out'], { cwd: dir });
  });
  after(() => removeWorkspace(dir));

  test('set reads stdin, creates the key file 0600 and never prints the value', () => {
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^secret API_KEY stored \(key [0-9a-f]{12}\)\n$/);
    assert.match(set.stderr, /created the master key file \S+\/\.quire\/master\.key \(mode 0600\)/);
    assert.equal(statSync(join(dir, '.quire', 'master.key')).mode & 0o777, 0o600);
    assertNoRawValue({ stdout: set.stdout, stderr: set.stderr });
  });

  test('list shows the name, key, times and grants, never the value', async () => {
    const list = await runCli(['secrets', 'list'], { cwd: dir });
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      /^NAME\s+KEY\s+CREATED\s+UPDATED\s+BY\s+GRANTED TO\nAPI_KEY\s+[0-9a-f]{12}\s+\d{4}-.*\(every run\)\n$/,
    );
    const json = await runCli(['secrets', 'list', '--json'], { cwd: dir });
    const parsed = JSON.parse(json.stdout) as {
      key: { id: string };
      secrets: { name: string; keyId: string }[];
    };
    assert.deepEqual(
      parsed.secrets.map((s) => [s.name, s.keyId]),
      [['API_KEY', parsed.key.id]],
    );
    assertNoRawValue({ list: list.stdout + list.stderr, json: json.stdout + json.stderr });
  });

  test('the run reads the stored value (echo newline removed) and every form shows [REDACTED]', () => {
    assert.equal(run.code, 0, run.stderr);
    const leak = cell(run.record, 'leak');
    assert.equal(leak.status, 'ok', JSON.stringify(leak.error));
    assert.equal(streamText(leak, 'stdout'), '[REDACTED]\n[REDACTED]\n{"k":"[REDACTED]"}\n');
    assert.ok(JSON.stringify(leak.outputs).includes(`"length":${VALUE.length},"newline":false`));
    assert.deepEqual(run.record!.secrets, ['API_KEY']);
    assert.match(readFileSync(join(dir, 'out', 'report.html'), 'utf8'), /\[REDACTED\]/);
  });

  test('the raw value is in no file of the run directory, the blobs or the database', () => {
    const files = [...filesUnder(join(dir, 'out')), ...filesUnder(join(dir, '.quire'))];
    assert.ok(files.some((f) => f.includes('/blobs/')));
    assert.ok(files.some((f) => f.endsWith('quire.db')));
    assertNoRawValue(Object.fromEntries(files.map((f) => [f, readFileSync(f)])));
    assertNoRawValue({ stdout: run.stdout, stderr: run.stderr });
  });

  test('a value on the command line is refused without echoing it; an empty one too', async () => {
    const argv = await runCli(['secrets', 'set', 'API_KEY', VALUE], { cwd: dir });
    assert.equal(argv.code, 2);
    assert.match(argv.stderr, /expected one secret name, got 2/);
    assertNoRawValue({ stderr: argv.stderr, stdout: argv.stdout });
    const empty = await runCli(['secrets', 'set', 'EMPTY'], { cwd: dir, input: '\n' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /the value on stdin is empty/);
    // A data file is not a secret: past 64 KiB the value is refused, and nothing is stored.
    const huge = await runCli(['secrets', 'set', 'HUGE'], { cwd: dir, input: 'x'.repeat(1024 * 1024) });
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /the value is over 64 KiB/);
    const listed = await runCli(['secrets', 'list'], { cwd: dir });
    assert.doesNotMatch(listed.stdout, /HUGE/);
  });

  test('a key file open to others is refused by set and by the run, naming the chmod', async () => {
    const file = join(dir, '.quire', 'master.key');
    chmodSync(file, 0o644);
    try {
      const refused = await runCli(['secrets', 'set', 'OTHER'], { cwd: dir, input: 'other-value-1234' });
      assert.equal(refused.code, 1);
      assert.ok(refused.stderr.includes(`run \`chmod 600 ${file}\``), refused.stderr);
      const failed = await runCli(['run', 'leak.nb.md', '--json'], { cwd: dir });
      assert.equal(failed.code, 1);
      assert.match(
        cell(failed.record, 'leak').error?.message ?? '',
        /is open to group or others \(mode 0644\)/,
      );
    } finally {
      chmodSync(file, 0o600);
    }
  });

  test('a worker (quire worker) reads the stored secret for a submitted run', async () => {
    const worker = spawn(process.execPath, [cliPath, 'worker'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    const exited = new Promise<number | null>((r) => worker.on('exit', (code) => r(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        worker.stderr.on('data', () => log.includes('"msg":"worker started"') && resolve());
        void exited.then((code) => reject(new Error(`the worker exited (${code}):\n${log}`)));
      });
      const submitted = await runCli(['submit', 'leak.nb.md', '--wait'], { cwd: dir });
      assert.equal(submitted.code, 0, submitted.stdout + submitted.stderr);
      const id = /^(run-\S+) ok /.exec(submitted.stdout)?.[1];
      assert.ok(id, submitted.stdout);
      const shown = await runCli(['show', id, '--json'], { cwd: dir });
      const { record } = JSON.parse(shown.stdout) as { record: RunRecord };
      assert.equal(
        streamText(cell(record, 'leak'), 'stdout'),
        '[REDACTED]\n[REDACTED]\n{"k":"[REDACTED]"}\n',
      );
      assertNoRawValue({ show: shown.stdout, log });
      worker.kill('SIGTERM');
      assert.equal(await exited, 0, log);
    } finally {
      worker.kill('SIGKILL');
    }
  });

  test('rotate-key, then the run still reads the secret; rm makes it not set', async () => {
    const keyBefore = readFileSync(join(dir, '.quire', 'master.key'), 'utf8');
    const rotate = await runCli(['secrets', 'rotate-key'], { cwd: dir });
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.match(rotate.stdout, /^re-encrypted 1 secret from key [0-9a-f]{12} to key [0-9a-f]{12}\n$/);
    assert.notEqual(readFileSync(join(dir, '.quire', 'master.key'), 'utf8'), keyBefore);
    const again = await runCli(['run', 'leak.nb.md', '--json'], { cwd: dir });
    assert.equal(cell(again.record, 'leak').status, 'ok');
    const rm = await runCli(['secrets', 'rm', 'API_KEY'], { cwd: dir });
    assert.equal(rm.code, 0);
    const gone = await runCli(['run', 'leak.nb.md', '--json'], { cwd: dir });
    assert.match(
      cell(gone.record, 'leak').error?.message ?? '',
      /^secret "API_KEY" is not set \(environment variable/,
    );
  });

  test('every change made by hand is an entry of the audit log, without the value', async () => {
    const audit = await runCli(['audit', '--json'], { cwd: dir });
    assert.equal(audit.code, 0, audit.stderr);
    const entries = (JSON.parse(audit.stdout) as { event: string; via: string; resource: unknown }[]).filter(
      // the changes, not the runs' reads (`secret.read`: tests/integration/audit/events.test.ts)
      (e) => e.event.startsWith('secret.') && e.event !== 'secret.read',
    );
    assert.deepEqual(
      entries.map((e) => [e.event, e.via, e.resource]),
      [
        ['secret.written', 'cli', { kind: 'secret', name: 'API_KEY' }],
        ['secret.key-rotated', 'cli', { kind: 'server' }],
        ['secret.removed', 'cli', { kind: 'secret', name: 'API_KEY' }],
      ],
    );
    assertNoRawValue({ audit: audit.stdout });
    const verify = await runCli(['audit', 'verify'], { cwd: dir });
    assert.equal(verify.code, 0, verify.stderr);
  });
});

describe('quire secrets and quire run on PostgreSQL (--db)', () => {
  let dir: string;
  let database: TestDatabase;

  before(async () => {
    dir = makeWorkspace({ 'leak.nb.md': NOTEBOOK });
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
    removeWorkspace(dir);
  });

  test('the stored secret is read by the run and its value is in no row of the store', async () => {
    const set = await runCli(['secrets', 'set', 'API_KEY', '--db', database.url], { cwd: dir, input: VALUE });
    assert.equal(set.code, 0, set.stderr);
    const run = await runCli(['run', 'leak.nb.md', '--json', '--db', database.url], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      streamText(cell(run.record, 'leak'), 'stdout'),
      '[REDACTED]\n[REDACTED]\n{"k":"[REDACTED]"}\n',
    );
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const dump: Record<string, string | Buffer> = {};
      for (const table of ['runs', 'blobs', 'secrets', 'artifacts', 'audit_log']) {
        const { rows } = await client.query(`SELECT * FROM quire.${table}`);
        dump[table] = Buffer.concat(
          rows.flatMap((row: Record<string, unknown>) =>
            Object.values(row).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)))),
          ),
        );
      }
      assert.ok(dump.blobs!.length > 0);
      assertNoRawValue(dump);
    } finally {
      await client.end();
    }
  });
});
