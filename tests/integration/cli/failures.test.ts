/**
 * `quire run` when cells fail (DESIGN §3, §4): exit code 1, the failing cell, its line and the
 * file on stderr and in the record; dependents skipped naming the failing cell; independent cells
 * still run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cell, makeWorkspace, removeWorkspace, runCli, type CliResult } from './helpers.js';

const THROWS = `# Throws

\`\`\`ts name=a
const a = 1;
const b = 2;
throw new Error('boom from a');
\`\`\`

\`\`\`ts name=dep
const d = a + 1;
\`\`\`

\`\`\`ts name=dep2
const e = d + 1;
\`\`\`

\`\`\`ts name=indep
const i = 42;
i
\`\`\`
`;

const SQL = `\`\`\`ts name=before
const k = 1;
\`\`\`

\`\`\`sql name=bad
select 1 as x,
  totl
from range(3)
\`\`\`

\`\`\`ts name=uses
bad.rows.length
\`\`\`

\`\`\`ts name=indep
k + 1
\`\`\`
`;

const DUPLICATE = `\`\`\`ts name=one
const dupe = 1;
\`\`\`

\`\`\`ts name=two
const other = 0;
const dupe = 2;
\`\`\`

\`\`\`ts name=reader
dupe
\`\`\`

\`\`\`ts name=fine
'fine'
\`\`\`
`;

const CYCLE = `\`\`\`ts name=c1
const x = z + 1;
\`\`\`

\`\`\`ts name=c2
const y = x + 1;
\`\`\`

\`\`\`ts name=c3
const z = y + 1;
\`\`\`

\`\`\`ts name=free
'free'
\`\`\`
`;

let ws: string;
const results: Record<string, CliResult> = {};
before(async () => {
  ws = makeWorkspace({
    'throws.nb.md': THROWS,
    'sql.nb.md': SQL,
    'dup.nb.md': DUPLICATE,
    'cycle.nb.md': CYCLE,
  });
  const names = ['throws', 'sql', 'dup', 'cycle'];
  const runs = await Promise.all(names.map((n) => runCli(['run', `${n}.nb.md`, '--json'], { cwd: ws })));
  names.forEach((n, i) => (results[n] = runs[i]!));
});
after(() => removeWorkspace(ws));

describe('quire run: cell failures are exit code 1', () => {
  test('a cell that throws: cell-relative line, file line, dependents skipped, others run', () => {
    const r = results.throws!;
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.record?.status, 'error');
    const a = cell(r.record, 'a');
    assert.equal(a.status, 'error');
    assert.equal(a.error?.message, 'boom from a');
    assert.equal(a.error?.line, 3, 'line 3 of the cell');
    assert.equal(a.error?.fileLine, 6, 'line 6 of the file');
    for (const id of ['dep', 'dep2']) {
      assert.equal(cell(r.record, id).status, 'skipped');
      assert.equal(cell(r.record, id).skippedBecause, 'a', `${id} names the failing cell`);
    }
    assert.equal(cell(r.record, 'indep').status, 'ok');
    assert.deepEqual(cell(r.record, 'indep').outputs, [{ mime: 'text/plain', data: '42' }]);
    assert.match(r.stderr, /throws\.nb\.md: cell "a" \(line 6\): boom from a/);
    assert.match(r.stderr, /run error: 1 ok, 1 failed, 2 skipped/);
  });

  test("a SQL error: DuckDB's message, the cell and the line", () => {
    const r = results.sql!;
    assert.equal(r.code, 1, r.stderr);
    const bad = cell(r.record, 'bad');
    assert.equal(bad.status, 'error');
    assert.equal(bad.language, 'sql');
    assert.match(bad.error?.message ?? '', /Binder Error: .*"totl"/);
    assert.equal(bad.error?.line, 2);
    assert.equal(bad.error?.fileLine, 7);
    assert.equal(cell(r.record, 'uses').skippedBecause, 'bad');
    assert.equal(cell(r.record, 'indep').status, 'ok');
    assert.match(r.stderr, /sql\.nb\.md: cell "bad" \(line 7\): Binder Error/);
  });

  test('a name defined by two cells is an error on both; unrelated cells still run', () => {
    const r = results.dup!;
    assert.equal(r.code, 1, r.stderr);
    const one = cell(r.record, 'one');
    const two = cell(r.record, 'two');
    for (const c of [one, two]) {
      assert.equal(c.status, 'error');
      assert.match(c.error?.message ?? '', /dupe/);
    }
    assert.match(one.error?.message ?? '', /two/);
    assert.match(two.error?.message ?? '', /one/);
    assert.equal(one.error?.line, 1);
    assert.equal(two.error?.line, 2, 'the line that defines the name again');
    assert.equal(two.error?.fileLine, 7);
    assert.equal(cell(r.record, 'reader').status, 'skipped');
    assert.equal(cell(r.record, 'fine').status, 'ok');
    assert.match(r.stderr, /dup\.nb\.md: cell "one" \(line 2\): .*dupe/);
    assert.match(r.stderr, /dup\.nb\.md: cell "two" \(line 7\): .*dupe/);
  });

  test('a cycle is an error on every cell in it, and the message lists the cycle', () => {
    const r = results.cycle!;
    assert.equal(r.code, 1, r.stderr);
    for (const id of ['c1', 'c2', 'c3']) {
      const c = cell(r.record, id);
      assert.equal(c.status, 'error', id);
      for (const member of ['c1', 'c2', 'c3']) assert.ok(c.error?.message.includes(member), c.error?.message);
      assert.equal(c.error?.line, 1);
      assert.match(r.stderr, new RegExp(`cycle\\.nb\\.md: cell "${id}" \\(line \\d+\\): .*cycle`));
    }
    assert.equal(cell(r.record, 'free').status, 'ok');
  });
});
