/**
 * Secrets through the real CLI (DESIGN §6): `secrets.get('API_KEY')` reads QUIRE_SECRET_API_KEY
 * from the host's environment, and no form of the value reaches stdout, stderr, manifest.json or
 * report.html, however the cell lets it out. A missing secret fails only the cells that need it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cell, makeWorkspace, removeWorkspace, runCli, streamText, type CliResult } from './helpers.js';

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
    assert.equal(
      missing.error?.message,
      'secret "NOT_SET_ANYWHERE" is not set (environment variable QUIRE_SECRET_NOT_SET_ANYWHERE)',
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
