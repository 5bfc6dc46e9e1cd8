/**
 * Secrets through the real CLI (DESIGN §6): `secrets.get('API_KEY')` reads QUIRE_SECRET_API_KEY
 * from the host's environment, and no form of the value reaches stdout, stderr, manifest.json or
 * report.html, however the cell lets it out. A missing secret fails only the cells that need it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunRecord } from '../../../src/runner/record.js';
import {
  cell,
  makeWorkspace,
  removeWorkspace,
  runCli,
  sha256,
  streamText,
  type CliResult,
} from './helpers.js';

const KEY = 'sk-live-1234567890abcdef';

const FORMS = {
  plain: KEY,
  json: JSON.stringify(KEY).slice(1, -1),
  url: encodeURIComponent(`${KEY}/x`).slice(0, -4),
  base64: Buffer.from(KEY).toString('base64'),
  base64url: Buffer.from(KEY).toString('base64url'),
};

const NOTEBOOK = `# Secrets

\`\`\`js name=leaky
const key = secrets.get('API_KEY');
console.log('the key is', key);
console.error(JSON.stringify({ key }));
display(html\`<b>\${key}</b>\`);
display(JSON.stringify({ key }));
display({ nested: { key } });
display(btoa(key));
display(Buffer.from(key).toString('base64url'));
display(encodeURIComponent(key + '/x'));
key
\`\`\`

\`\`\`sql name=bound
select \${key} as k, \${key} || '!' as shout
\`\`\`

\`\`\`js name=thrower
throw new Error('auth failed for ' + key);
\`\`\`

\`\`\`ts name=missing
const other: string = secrets.get('NOT_SET_ANYWHERE');
\`\`\`

\`\`\`js name=needsOther
other.length
\`\`\`

\`\`\`js name=undeclared
const g = secrets.get;
const sneaky = (() => { try { return g('API_KEY'); } catch (e) { return e.message; } })();
sneaky
\`\`\`

\`\`\`js name=independent
const ok = 40 + 2;
ok
\`\`\`

\`\`\`sql name=inSql
select length(\${secrets.get('API_KEY')}) as n, \${secrets.get('API_KEY')} as k
\`\`\`

Key length \${secrets.get('API_KEY').length}, key \${secrets.get('API_KEY')}.
`;

describe('quire run: secrets', () => {
  let dir: string;
  let result: CliResult;
  let manifest: string;
  let report: string;

  before(async () => {
    dir = makeWorkspace({ 'secrets.nb.md': NOTEBOOK });
    result = await runCli(['run', 'secrets.nb.md', '--json', '--out', 'out'], {
      cwd: dir,
      env: { QUIRE_SECRET_API_KEY: KEY },
    });
    manifest = readFileSync(join(dir, 'out', 'manifest.json'), 'utf8');
    report = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
  });
  after(() => removeWorkspace(dir));

  test('no form of the secret reaches stdout, stderr, manifest.json or report.html', () => {
    for (const [where, text] of Object.entries({
      stdout: result.stdout,
      stderr: result.stderr,
      manifest,
      report,
    })) {
      for (const [form, value] of Object.entries(FORMS)) {
        assert.ok(!text.includes(value), `${where} holds the ${form} form`);
      }
    }
    assert.match(result.stdout, /\[REDACTED\]/);
    assert.match(manifest, /\[REDACTED\]/);
    assert.match(report, /\[REDACTED\]/);
  });

  test('the cell ran with the real value, and every output shows [REDACTED]', () => {
    const leaky = cell(result.record, 'leaky');
    assert.equal(leaky.status, 'ok');
    assert.match(streamText(leaky, 'stdout'), /the key is \[REDACTED\]/);
    assert.match(streamText(leaky, 'stderr'), /\{"key":"\[REDACTED\]"\}/);
    const texts = leaky.outputs.map((o) => JSON.stringify(o.data));
    assert.ok(
      texts.some((t) => t.includes('<b>[REDACTED]</b>')),
      texts.join('\n'),
    );
    assert.ok(
      texts.some((t) => t.includes('[REDACTED]%2Fx')),
      texts.join('\n'),
    );
  });

  test('a SQL cell binding the secret as a parameter shows it redacted', () => {
    const bound = cell(result.record, 'bound');
    assert.equal(bound.status, 'ok');
    const table = JSON.stringify(bound.outputs);
    assert.match(table, /\[REDACTED\]!/);
  });

  test('SQL and prose ${…} read secrets too: the value is used, and shows [REDACTED]', () => {
    const inSql = cell(result.record, 'inSql');
    assert.equal(inSql.status, 'ok', JSON.stringify(inSql.error));
    const table = JSON.stringify(inSql.outputs);
    assert.ok(table.includes(`"rows":[[${KEY.length},"[REDACTED]"]]`), table);
    const prose = result.record!.cells.at(-1)!;
    assert.equal(prose.status, 'ok', JSON.stringify(prose.error));
    assert.equal(prose.outputs[0]?.data, `\nKey length ${KEY.length}, key [REDACTED].\n`);
    assert.deepEqual(result.record!.secrets, ['API_KEY']);
  });

  test('an error carrying the secret is redacted in the record and on stderr', () => {
    const thrower = cell(result.record, 'thrower');
    assert.equal(thrower.status, 'error');
    assert.equal(thrower.error?.message, 'auth failed for [REDACTED]');
    assert.ok(!thrower.error?.stack?.includes(KEY));
    assert.match(result.stderr, /cell "thrower".*auth failed for \[REDACTED\]/);
  });

  test('a missing secret fails its cell before it runs, naming the variable; others run', () => {
    const missing = cell(result.record, 'missing');
    assert.equal(missing.status, 'error');
    assert.match(
      missing.error?.message ?? '',
      /^secret "NOT_SET_ANYWHERE" is not set \(environment variable QUIRE_SECRET_NOT_SET_ANYWHERE or the secret store \/\S+\/\.quire\/quire\.db\)$/,
    );
    assert.match(result.stderr, /QUIRE_SECRET_NOT_SET_ANYWHERE/);
    assert.equal(cell(result.record, 'needsOther').status, 'skipped');
    assert.equal(cell(result.record, 'independent').status, 'ok');
    assert.equal(result.code, 1);
  });

  test('a name the cell did not declare statically is refused at run time', () => {
    const undeclared = cell(result.record, 'undeclared');
    assert.equal(undeclared.status, 'ok');
    assert.match(JSON.stringify(undeclared.outputs), /secret \\"API_KEY\\" was not declared by this cell/);
  });

  test('the record lists the names of the secrets used, never their values', () => {
    assert.deepEqual(result.record?.secrets, ['API_KEY']);
    assert.equal(JSON.parse(manifest).secrets[0], 'API_KEY');
  });
});

describe('quire run: a dynamic secret name', () => {
  let dir: string;
  after(() => removeWorkspace(dir));

  test('is a cell error at its line, and the cell does not run', async () => {
    dir = makeWorkspace({
      'dyn.nb.md': "```js\nconst name = 'API_KEY';\nconst k = secrets.get(name);\n```\n\n```js\n1 + 1\n```\n",
    });
    const result = await runCli(['run', 'dyn.nb.md', '--json'], {
      cwd: dir,
      env: { QUIRE_SECRET_API_KEY: KEY },
    });
    assert.equal(result.code, 1);
    const [dynamic, other] = result.record?.cells ?? [];
    assert.equal(dynamic?.status, 'error');
    assert.match(dynamic?.error?.message ?? '', /secrets\.get needs a string literal name/);
    assert.equal(dynamic?.error?.line, 2);
    assert.equal(other?.status, 'ok');
    assert.equal(result.record?.secrets, undefined);
  });
});

/**
 * The item 7: a one-letter secret rewrote the record's ids, statuses, hashes and MIME
 * types (`"[REDACTED]rror"`), made a failed run exit 0, was stored that way, and crashed `--out`
 * (exit 70). The record is now redacted field by field: only user content changes.
 */
describe('quire run: a one-letter secret (QUIRE_SECRET_X=e)', () => {
  const PASSES = `---
title: Short secret
---

\`\`\`js name=reader
const value = secrets.get('X');
console.log('the value is ' + value + ' here');
display({ secret: value, other: 'hello' });
\`\`\`

\`\`\`sql name=echoed
select \${secrets.get('X')} as value, 'kept' as label
\`\`\`
`;
  const FAILS = `\`\`\`js name=thrower
throw new Error('failed with ' + secrets.get('X'));
\`\`\`

\`\`\`js name=independent
1 + 1
\`\`\`
`;
  let dir: string;
  let passed: CliResult;
  let failed: CliResult;
  let manifest: RunRecord;
  before(async () => {
    dir = makeWorkspace({ 'passes.nb.md': PASSES, 'fails.nb.md': FAILS });
    const env = { QUIRE_SECRET_X: 'e' };
    passed = await runCli(['run', 'passes.nb.md', '--out', 'out', '--json'], { cwd: dir, env });
    failed = await runCli(['run', 'fails.nb.md', '--out', 'out-failed', '--json'], { cwd: dir, env });
    manifest = JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')) as RunRecord;
  });
  after(() => removeWorkspace(dir));

  test('a passing notebook exits 0 and writes its run directory', () => {
    assert.equal(passed.code, 0, passed.stderr);
    assert.deepEqual(manifest, passed.record);
    assert.match(readFileSync(join(dir, 'out', 'report.html'), 'utf8'), /q-badge-ok/);
  });

  test("the record's own fields are intact: ids, statuses, hashes, times, MIME types", () => {
    const record = passed.record!;
    assert.match(record.id, /^run-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    assert.equal(record.status, 'ok');
    assert.equal(record.notebook.sha256, sha256(PASSES));
    assert.equal(record.notebook.path, 'passes.nb.md');
    assert.equal(new Date(record.startedAt).toISOString(), record.startedAt);
    assert.equal(new Date(record.finishedAt).toISOString(), record.finishedAt);
    assert.deepEqual(
      record.cells.map((c) => [c.id, c.language, c.status]),
      [
        ['reader', 'js', 'ok'],
        ['echoed', 'sql', 'ok'],
      ],
    );
    assert.deepEqual(
      cell(record, 'reader').outputs.map((o) => o.mime),
      ['application/vnd.quire.stream+json', 'application/json', 'application/json'],
    );
    assert.match(record.runtime.node, /^v\d+\.\d+\.\d+$/);
    assert.deepEqual(record.secrets, ['X']);
  });

  test('outputs holding the value are redacted', () => {
    const reader = cell(passed.record, 'reader');
    assert.equal(
      streamText(reader, 'stdout'),
      'th[REDACTED] valu[REDACTED] is [REDACTED] h[REDACTED]r[REDACTED]\n',
    );
    assert.deepEqual(reader.outputs[1]?.data, {
      's[REDACTED]cr[REDACTED]t': '[REDACTED]',
      'oth[REDACTED]r': 'h[REDACTED]llo',
    });
    const table = cell(passed.record, 'echoed').outputs[0]?.data as {
      columns: { name: string }[];
      rows: unknown[][];
    };
    assert.deepEqual(table.rows, [['[REDACTED]', 'k[REDACTED]pt']]);
    assert.equal(passed.record!.notebook.title, 'Short s[REDACTED]cr[REDACTED]t');
  });

  test('a failing notebook exits 1 with statuses `error` and `ok` intact', () => {
    assert.equal(failed.code, 1, failed.stderr);
    const record = failed.record!;
    assert.equal(record.status, 'error');
    const thrower = cell(record, 'thrower');
    assert.equal(thrower.status, 'error');
    assert.equal(thrower.error?.kind, 'exception');
    assert.equal(thrower.error?.name, 'Error');
    assert.equal(thrower.error?.message, 'fail[REDACTED]d with [REDACTED]');
    assert.equal(cell(record, 'independent').status, 'ok');
    const written = JSON.parse(readFileSync(join(dir, 'out-failed', 'manifest.json'), 'utf8')) as RunRecord;
    assert.deepEqual(written, record);
  });

  test('the store keeps the same record: `quire show` and `quire runs`', async () => {
    for (const run of [passed.record!, failed.record!]) {
      const shown = await runCli(['show', run.id, '--json'], { cwd: dir });
      assert.equal(shown.code, 0, shown.stderr);
      const stored = JSON.parse(shown.stdout) as { run: { id: string; status: string }; record: RunRecord };
      assert.equal(stored.run.id, run.id);
      assert.equal(stored.run.status, run.status);
      assert.deepEqual(stored.record, run);
    }
    const text = await runCli(['show', failed.record!.id], { cwd: dir });
    assert.match(text.stdout, new RegExp(`^${failed.record!.id}  error: thrower`));
    const runs = await runCli(['runs'], { cwd: dir });
    assert.ok(!runs.stdout.includes('[REDACTED]rror'), runs.stdout);
    assert.ok(!runs.stderr.includes('finished by another process'), passed.stderr + failed.stderr);
  });
});

/** The accidental forms DESIGN §6 names, through the real CLI. */
describe('quire run: accidental forms and split chunks', () => {
  const PEM = [
    '-----BEGIN PRIVATE KEY-----',
    ...Buffer.from(Array.from({ length: 150 }, (_, i) => (i * 71) % 256))
      .toString('base64')
      .match(/.{1,64}/g)!,
    '-----END PRIVATE KEY-----',
  ].join('\n');
  const NOTEBOOK = `\`\`\`js name=forms
const key = secrets.get('API_KEY');
const pem = secrets.get('PEM');
console.log('Authorization: Basic ' + btoa('ana:' + key));
console.log(JSON.stringify(JSON.stringify({ key })));
console.log(JSON.stringify({ body: key + '\\r\\n' + key }));
pem.split('\\n').forEach((line, i) => console.log(i + 1, line));
\`\`\`

\`\`\`js name=split
const half = secrets.get('API_KEY');
for (const ch of half) {
  process.stdout.write(ch);
  await new Promise((resolve) => setTimeout(resolve, 1));
}
process.stdout.write(half.slice(0, 9));
await new Promise((resolve) => setTimeout(resolve, 5));
process.stdout.write(half.slice(9) + '\\n');
\`\`\`
`;
  let dir: string;
  let result: CliResult;
  before(async () => {
    dir = makeWorkspace({ 'forms.nb.md': NOTEBOOK });
    result = await runCli(['run', 'forms.nb.md', '--json', '--out', 'out'], {
      cwd: dir,
      env: { QUIRE_SECRET_API_KEY: KEY, QUIRE_SECRET_PEM: PEM },
    });
  });
  after(() => removeWorkspace(dir));

  test('Basic auth, JSON twice, CRLF and a PEM key line by line leave nothing whole', () => {
    assert.equal(result.code, 0, result.stderr);
    const text = streamText(cell(result.record, 'forms'), 'stdout');
    const lines = text.split('\n');
    assert.match(lines[0]!, /^Authorization: Basic YW5hO.\[REDACTED\]/);
    assert.equal(lines[1], '"{\\"key\\":\\"[REDACTED]\\"}"');
    assert.equal(lines[2], '{"body":"[REDACTED]\\r\\n[REDACTED]"}');
    for (const line of PEM.split('\n')) assert.ok(!text.includes(line), line);
    assert.match(lines[3]!, /^1 \[REDACTED\]$/);
    const manifest = readFileSync(join(dir, 'out', 'manifest.json'), 'utf8');
    assert.ok(
      !manifest.includes(KEY) &&
        !manifest.includes(Buffer.from(`ana:${KEY}`).toString('base64').slice(8, 20)),
    );
  });

  test('a value written a character at a time, or in two halves, is redacted in the record', () => {
    const split = cell(result.record, 'split');
    assert.equal(split.status, 'ok');
    const text = streamText(split, 'stdout');
    assert.ok(!text.includes(KEY.slice(0, 12)) && !text.includes(KEY.slice(-12)), text);
    assert.equal(text, '[REDACTED][REDACTED]\n');
    assert.ok(split.outputs.length > 2, 'the chunks arrived as separate outputs');
    const manifest = readFileSync(join(dir, 'out', 'manifest.json'), 'utf8');
    const report = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    for (const where of [manifest, report, result.stdout]) assert.ok(!where.includes(KEY.slice(3, 15)));
  });
});
