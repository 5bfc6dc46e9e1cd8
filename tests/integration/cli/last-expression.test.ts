/**
 * Through `quire run --json` and a real kernel: a TS cell's last expression is displayed as the
 * same line is in a JS cell, for the forms esbuild folds to a constant (and used to drop).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cell, makeWorkspace, removeWorkspace, runCli, type CliResult } from './helpers.js';

const FORMS: [name: string, js: string, ts: string][] = [
  ['concat', '"a" + 1', '"a" + 1'],
  ['negative', '-1;', '-1 as number;'],
  ['folded', 'x; `n=` + 2', 'x!; `n=` + 2'],
  ['object', '({ a: "b" + 1 })', '({ a: "b" + 1 }) satisfies { a: string }'],
];

const NOTEBOOK = [
  '```js name=x\nconst x = 1;\n```',
  ...FORMS.flatMap(([name, js, ts]) => [
    `\`\`\`js name=${name}_js\n${js}\n\`\`\``,
    `\`\`\`ts name=${name}_ts\n${ts}\ninterface Unused { a: string }\n\`\`\``,
  ]),
].join('\n\n');

let ws: string;
let r: CliResult;
before(async () => {
  ws = makeWorkspace({ 'last.nb.md': NOTEBOOK });
  r = await runCli(['run', 'last.nb.md', '--json'], { cwd: ws });
});
after(() => removeWorkspace(ws));

describe('quire run: the last expression of a TS cell', () => {
  test('the run succeeds', () => {
    assert.equal(r.code, 0, r.stderr);
  });

  for (const [name] of FORMS) {
    test(`${name}: the TS cell shows what the JS cell shows`, () => {
      const js = cell(r.record, `${name}_js`).outputs;
      assert.equal(js.length, 1, JSON.stringify(js));
      assert.deepEqual(cell(r.record, `${name}_ts`).outputs, js);
    });
  }

  test("the values are the expressions' values", () => {
    assert.deepEqual(cell(r.record, 'concat_ts').outputs, [{ mime: 'text/plain', data: 'a1' }]);
    assert.deepEqual(cell(r.record, 'folded_ts').outputs, [{ mime: 'text/plain', data: 'n=2' }]);
  });
});
