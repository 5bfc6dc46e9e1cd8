// `metric(name, value)` through real kernels and the real CLI: the values cells record reach the
// run record (latest value wins, in the order the cells ran) and the run store's metrics column;
// bad names and values throw in the cell; a secret in a name is redacted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoredRun } from '../../../src/store/types.js';
import { cell, makeWorkspace, removeWorkspace, runCli } from './helpers.js';

// `early` is first in the file but reads `late`, so it runs after it: its `order` value wins.
const NOTEBOOK = `# Metrics

\`\`\`ts name=early
const seen = late + 1;
metric('order', 2);
\`\`\`

\`\`\`ts name=late
const late = metric('returned', 41);
metric('order', 1);
metric('twice', 1);
metric('twice', 2);
metric('ratio', 1 / 3);
// A loop that records at every step: the kernel coalesces the calls, the last value wins.
for (let step = 0; step < 200_000; step++) metric('step', step);
\`\`\`

\`\`\`ts name=fails
metric('before_error', -0.5);
throw new Error('after the metric');
\`\`\`

\`\`\`ts name=nan
metric('bad', NaN);
\`\`\`

\`\`\`ts name=text
metric('stringy', '3');
\`\`\`

\`\`\`ts name=badname
metric('has space', 1);
\`\`\`

\`\`\`ts name=result
display(seen);
\`\`\`
`;

const SECRET = 'tok3n-Secret-9f8e7d';
const SECRET_NAME = "# Secret name\n\n```ts\nmetric(secrets.get('TOKEN'), 7);\nmetric('plain', 1);\n```\n";

let ws: string;
before(() => {
  ws = makeWorkspace({ 'metrics.nb.md': NOTEBOOK, 'secret.nb.md': SECRET_NAME });
});
after(() => removeWorkspace(ws));

describe('metric()', () => {
  test('the latest value of each name reaches the record and the store', async () => {
    const r = await runCli(['run', 'metrics.nb.md', '--json'], { cwd: ws });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.record?.metrics, {
      before_error: -0.5,
      order: 2,
      ratio: 1 / 3,
      returned: 41,
      step: 199_999,
      twice: 2,
    });
    // Keys sorted: the record does not depend on which cell ran first.
    assert.deepEqual(Object.keys(r.record!.metrics!), [
      'before_error',
      'order',
      'ratio',
      'returned',
      'step',
      'twice',
    ]);
    // metric() returns its value.
    assert.equal(cell(r.record, 'result').outputs[0]?.data, '42');
    assert.equal(cell(r.record, 'fails').error?.message, 'after the metric');

    const listed = await runCli(['runs', '--json', 'metrics.nb.md'], { cwd: ws });
    assert.equal(listed.code, 0, listed.stderr);
    const [stored] = JSON.parse(listed.stdout) as StoredRun[];
    assert.equal(stored?.id, r.record?.id);
    assert.deepEqual(stored?.metrics, r.record?.metrics);
  });

  test('a value that is not a finite number, or a bad name, throws a TypeError naming the metric', async () => {
    const r = await runCli(['run', 'metrics.nb.md', '--json'], { cwd: ws });
    const nan = cell(r.record, 'nan').error;
    assert.equal(nan?.name, 'TypeError');
    assert.equal(nan?.message, 'metric "bad": expected a finite number, got NaN');
    assert.equal(nan?.line, 1);
    assert.equal(
      cell(r.record, 'text').error?.message,
      'metric "stringy": expected a finite number, got a string "3"',
    );
    const badName = cell(r.record, 'badname').error;
    assert.equal(badName?.name, 'TypeError');
    assert.match(badName?.message ?? '', /the name must be 1-100 characters .*got "has space"/);
    assert.equal(r.record?.metrics?.bad, undefined);
  });

  test('a secret used as a metric name is redacted in the record and the store', async () => {
    const env = { QUIRE_SECRET_TOKEN: SECRET };
    const r = await runCli(['run', 'secret.nb.md', '--json'], { cwd: ws, env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.record?.metrics, { '[REDACTED]': 7, plain: 1 });
    assert.ok(!r.stdout.includes(SECRET));
    const listed = await runCli(['runs', '--json', 'secret.nb.md'], { cwd: ws });
    assert.ok(!listed.stdout.includes(SECRET));
    assert.deepEqual((JSON.parse(listed.stdout) as StoredRun[])[0]?.metrics, r.record?.metrics);
  });

  test('a run without metrics has none in its record', async () => {
    const ws2 = makeWorkspace({ 'plain.nb.md': '# Plain\n\n```ts\n1 + 1\n```\n' });
    try {
      const r = await runCli(['run', 'plain.nb.md', '--json'], { cwd: ws2 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.record?.metrics, undefined);
      assert.ok(!('metrics' in r.record!));
    } finally {
      removeWorkspace(ws2);
    }
  });
});
