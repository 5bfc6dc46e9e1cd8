/**
 * DESIGN §3 semantics observed through `quire run --json`, and the run record (§4), and the run
 * directory of `--out` (a manifest equal to the record, a self-contained report).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  cell,
  makeWorkspace,
  removeWorkspace,
  runCli,
  sha256,
  streamText,
  type CliResult,
} from './helpers.js';

const NOTEBOOK = `---
title: Semantics
params:
  n: { type: integer, default: 3 }
  region: { type: string, default: EU, enum: [EU, US] }
  label: "<b>bold</b>"
---

# Report for \${region}

We have \${n} items and the label \${label}; \\\${literal} stays.

\`\`\`ts name=late
const y = x + 1;
console.log('y is', y);
display({ a: 1 });
display('second');
y * 2
\`\`\`

\`\`\`ts name=early
const x = n;
typeof n
\`\`\`

\`\`\`ts name=awaits
const waited = await new Promise((r) => setTimeout(() => r('done'), 10));
waited
\`\`\`

\`\`\`sql name=bound
select \${region} as region, \${"x'); drop table t; --"} as injection
\`\`\`

\`\`\`ts name=people
const people = [{ who: 'ana', age: 31 }, { who: 'bo', age: 17 }, { who: 'cy', age: 45 }];
\`\`\`

\`\`\`sql name=adults
select who, age from people where age >= 18 order by age
\`\`\`

\`\`\`sql name=counted
select count(*) as c from adults
\`\`\`

\`\`\`ts name=shape
[counted.rows[0].c, adults.rows.map((r) => r.who).join(','), adults.columns.map((c) => c.name + ':' + c.type).join(',')].join(' | ')
\`\`\`

\`\`\`ts name=never run=false
const never = 1;
\`\`\`

\`\`\`ts name=needsNever
never + 1
\`\`\`

\`\`\`ts name=secretCode echo=false
const hiddenMarker = 'visible-output';
hiddenMarker
\`\`\`

\`\`\`ts name=chart
vegalite({
  data: { values: [{ a: 'A', b: 28 }, { a: 'B', b: 55 }] },
  mark: 'bar',
  encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
});
\`\`\`
`;

let ws: string;
let r: CliResult;
let outDir: string;
before(async () => {
  ws = makeWorkspace({ 'sem.nb.md': NOTEBOOK });
  outDir = join(ws, 'out');
  r = await runCli(['run', 'sem.nb.md', '--json', '--out', outDir, '-p', 'n=5'], { cwd: ws });
});
after(() => removeWorkspace(ws));

const outputs = (id: string) => cell(r.record, id).outputs;

describe('quire run: the semantics of DESIGN §3', () => {
  test('the run succeeds (run=false is not a failure)', () => {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.record?.status, 'ok');
  });

  test('topological order: a cell using a name defined further down runs after it', () => {
    assert.equal(cell(r.record, 'late').status, 'ok');
    assert.equal(cell(r.record, 'early').status, 'ok');
    assert.deepEqual(outputs('late').at(-1), { mime: 'text/plain', data: '12' });
  });

  test('console is a stream; display() adds outputs in order; the last expression is displayed', () => {
    assert.deepEqual(outputs('late'), [
      { mime: 'application/vnd.quire.stream+json', data: { name: 'stdout', text: 'y is 6\n' } },
      { mime: 'application/json', data: { a: 1 } },
      { mime: 'text/plain', data: 'second' },
      { mime: 'text/plain', data: '12' },
    ]);
    assert.equal(streamText(cell(r.record, 'late'), 'stdout'), 'y is 6\n');
  });

  test('params are typed and visible to every cell; top-level await works', () => {
    assert.deepEqual(outputs('early'), [{ mime: 'text/plain', data: 'number' }]);
    assert.deepEqual(outputs('awaits'), [{ mime: 'text/plain', data: 'done' }]);
    assert.deepEqual(r.record?.params, { n: 5, region: 'EU', label: '<b>bold</b>' });
  });

  test('${x} in SQL is bound: an injection string stays a literal', () => {
    const table = outputs('bound')[0]?.data as { rows: unknown[][]; columns: { name: string }[] };
    assert.deepEqual(table.rows, [['EU', "x'); drop table t; --"]]);
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['region', 'injection'],
    );
  });

  test('SQL reads a JS array of objects and an earlier SQL result by name; .rows and .columns', () => {
    const adults = outputs('adults')[0]?.data as { rows: unknown[][]; rowCount: number };
    assert.deepEqual(adults.rows, [
      ['ana', 31],
      ['cy', 45],
    ]);
    assert.deepEqual(outputs('shape'), [{ mime: 'text/plain', data: '2 | ana,cy | who:VARCHAR,age:BIGINT' }]);
  });

  test('prose ${…} is rendered with HTML-escaped values; \\${ stays literal', () => {
    const prose = r.record?.cells.find((c) => c.language === 'markdown');
    assert.ok(prose, 'prose with ${…} is in the record');
    assert.equal(prose.status, 'ok');
    const text = JSON.stringify(prose.outputs);
    assert.match(text, /Report for EU/);
    assert.match(text, /We have 5 items/);
    assert.match(text, /&lt;b&gt;bold&lt;\/b&gt;/);
    assert.doesNotMatch(text, /<b>bold/);
    assert.match(text, /\$\{literal\}/);
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    assert.match(html, /&lt;b&gt;bold&lt;\/b&gt;/);
    assert.doesNotMatch(html, /<b>bold<\/b>/);
  });

  test('run=false never runs; its dependents are skipped naming it', () => {
    assert.equal(cell(r.record, 'never').status, 'skipped');
    assert.equal(cell(r.record, 'never').skippedBecause, 'run=false');
    assert.equal(cell(r.record, 'needsNever').status, 'skipped');
    assert.equal(cell(r.record, 'needsNever').skippedBecause, 'never');
  });

  test('echo=false hides the code in report.html but keeps the output', () => {
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /const hiddenMarker/);
    assert.match(html, /visible-output/);
    assert.match(html, /const people/, 'other cells show their code');
  });
});

describe('quire run: the run record and the run directory', () => {
  test('the record holds notebook sha256, runtime versions, times and params', () => {
    const record = r.record!;
    assert.match(record.id, /^run-/);
    assert.equal(record.notebook.sha256, sha256(readFileSync(join(ws, 'sem.nb.md'))));
    assert.equal(record.notebook.title, 'Semantics');
    assert.match(record.notebook.path, /sem\.nb\.md$/);
    assert.equal(record.runtime.node, process.version);
    assert.match(record.runtime.quire, /^\d+\.\d+\.\d+/);
    assert.match(record.runtime.duckdb ?? '', /^\d+\.\d+/);
    assert.ok('lockfile' in record.runtime);
    assert.ok(!Number.isNaN(Date.parse(record.startedAt)));
    assert.equal(new Date(record.startedAt).toISOString(), record.startedAt);
    assert.equal(typeof record.durationMs, 'number');
    assert.ok(record.durationMs >= 0);
    for (const c of record.cells) {
      assert.ok(['ok', 'error', 'skipped'].includes(c.status));
      assert.ok(['ts', 'js', 'sql', 'markdown'].includes(c.language));
      assert.equal(typeof c.durationMs, 'number');
      assert.ok(Array.isArray(c.outputs));
    }
  });

  test('the lockfile of the workspace is hashed', async () => {
    const lockWs = makeWorkspace({
      'package-lock.json': '{"lockfileVersion":3}\n',
      'one.nb.md': '```ts\n1\n```\n',
    });
    try {
      const one = await runCli(['run', 'one.nb.md', '--json'], { cwd: lockWs });
      assert.equal(one.code, 0, one.stderr);
      assert.equal(one.record?.runtime.lockfile?.sha256, sha256('{"lockfileVersion":3}\n'));
    } finally {
      removeWorkspace(lockWs);
    }
  });

  test('manifest.json equals the --json record', () => {
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as unknown;
    assert.deepEqual(manifest, r.record);
  });

  test('report.html is self-contained and has the chart as inline SVG', () => {
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /<svg[\s>]/);
    assert.doesNotMatch(html, /<script[^>]*\ssrc=/i, 'no external scripts');
    assert.doesNotMatch(html, /<link[^>]*\shref=["']?(https?:)?\/\//i, 'no external stylesheets');
    assert.doesNotMatch(html, /\s(src|href)=["']?(https?:)?\/\//i, 'no external src or href');
    assert.doesNotMatch(html, /url\(\s*["']?(https?:)?\/\//i, 'no external CSS urls');
    assert.doesNotMatch(html, /@import/i);
    assert.match(html, /Semantics/);
  });
});

describe('quire run: a name two cells share', () => {
  // The parser gives both cells the id `x`; the run's document gives the second its place's id,
  // so the record says what happened to each (before, both rows showed one cell's state).
  test('is an error on both, each under its own id; an unrelated cell still runs', async () => {
    const dupWs = makeWorkspace({
      'dup.nb.md':
        '```sql name=x\nselect 1 as a\n```\n\n```sql name=x\nselect 2 as a\n```\n\n```ts\nconst free = 1;\nfree\n```\n',
    });
    try {
      const dup = await runCli(['run', 'dup.nb.md', '--json'], { cwd: dupWs });
      assert.equal(dup.code, 1, dup.stderr);
      const cells = dup.record?.cells ?? [];
      assert.deepEqual(
        cells.map((c) => [c.id, c.name ?? null, c.status]),
        [
          ['x', 'x', 'error'],
          ['cell-2', null, 'ok'],
          ['cell-3', 'x', 'error'],
          ['cell-4', null, 'ok'],
          ['cell-5', null, 'ok'],
        ].filter(([id]) => cells.some((c) => c.id === id)),
      );
      assert.equal(new Set(cells.map((c) => c.id)).size, cells.length, 'ids are unique');
      assert.match(cell(dup.record, 'cell-3').error?.message ?? '', /x/);
    } finally {
      removeWorkspace(dupWs);
    }
  });
});
