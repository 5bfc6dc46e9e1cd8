/**
 * A cell's last expression is displayed whatever its form, and a TS cell shows what the same
 * line shows in a JS cell. esbuild folds constant expressions in TS and drops a statement that
 * became a primitive (`"a" + 1`): each row runs both compiled cells as the kernel does and
 * compares the displayed value (`__quire_last`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileJsCell } from '../../../src/analysis/index.js';
import { codeCell, run } from './helpers.js';

interface Row {
  form: string;
  /** the TS cell */
  ts: string;
  /** the same cell in JS (TS-only syntax removed); the TS source itself when absent */
  js?: string;
  scope?: Record<string, unknown>;
  /** the displayed value both must give */
  value: unknown;
}

const rows: Row[] = [
  { form: 'string concatenation', ts: '"a" + 1', value: 'a1' },
  { form: 'concatenation with a semicolon and a comment', ts: '"a" + 1; // done', value: 'a1' },
  { form: 'numeric addition', ts: '1 + 2', value: 3 },
  { form: 'string literals added', ts: "'a' + 'b'", value: 'ab' },
  { form: 'negative number', ts: '-1', value: -1 },
  { form: 'not', ts: '!0', value: true },
  { form: 'typeof a literal', ts: 'typeof 1', value: 'number' },
  { form: 'NaN', ts: 'NaN', value: NaN },
  { form: 'Infinity', ts: '-Infinity', value: -Infinity },
  { form: 'comparison of literals', ts: '"a" == "a"', value: true },
  { form: 'nullish of literals', ts: 'null ?? 1', value: 1 },
  { form: 'logical of literals', ts: 'true && "x"', value: 'x' },
  { form: 'template literal', ts: '`x${1 + 1}`', value: 'x2' },
  { form: 'template literal added to a number', ts: '`a` + 1', value: 'a1' },
  { form: 'call', ts: 'f(2)', scope: { f: (x: number) => x * 10 }, value: 20 },
  { form: 'await', ts: 'await Promise.resolve(7)', value: 7 },
  { form: 'await of an input', ts: 'await p', scope: { p: Promise.resolve('v') }, value: 'v' },
  { form: 'as', ts: 'x as number', js: 'x', scope: { x: 5 }, value: 5 },
  { form: 'as on a folded constant', ts: '("a" + 1) as string', js: '("a" + 1)', value: 'a1' },
  { form: 'as const', ts: '"a" as const', js: '"a"', value: 'a' },
  { form: 'non-null assertion', ts: 'x!', js: 'x', scope: { x: 'y' }, value: 'y' },
  { form: 'angle-bracket assertion', ts: '<number>x', js: 'x', scope: { x: 4 }, value: 4 },
  { form: 'satisfies', ts: '"s" satisfies string', js: '"s"', value: 's' },
  { form: 'object literal in parens', ts: '({ a: 1 })', value: { a: 1 } },
  { form: 'typed object literal', ts: '({ a: 1 } as { a: number })', js: '({ a: 1 })', value: { a: 1 } },
  { form: 'sequence', ts: '(1, 2)', value: 2 },
  { form: 'sequence of folded constants', ts: '("a" + 1, "b" + 2)', value: 'b2' },
  { form: 'conditional', ts: 'x ? "y" : "n"', scope: { x: 1 }, value: 'y' },
  { form: 'arrow function result', ts: '((n: number) => n + 1)(1)', js: '((n) => n + 1)(1)', value: 2 },
  {
    form: 'after a declaration',
    ts: 'const a: number = 1;\n"a" + a',
    js: 'const a = 1;\n"a" + a',
    value: 'a1',
  },
  { form: 'after another expression', ts: 'f(1);\n"a" + 1', scope: { f: () => 0 }, value: 'a1' },
  {
    form: 'before a type-only declaration',
    ts: '"a" + 1;\ninterface A { x: number; }',
    js: '"a" + 1;',
    value: 'a1',
  },
  {
    form: 'after a type-only declaration',
    ts: 'type T = string;\n("a" + 1) as T',
    js: '("a" + 1)',
    value: 'a1',
  },
  {
    form: 'enum member',
    ts: 'enum S { A = "a" }\nS.A + "x"',
    js: 'const S = { A: "a" };\nS.A + "x"',
    value: 'ax',
  },
  { form: 'over two lines', ts: '"a" +\n  1', value: 'a1' },
  { form: 'a string with a semicolon', ts: '"a;" + 1;', value: 'a;1' },
  { form: 'a declaration last: nothing', ts: 'const a: number = 1;', js: 'const a = 1;', value: undefined },
  { form: 'undefined: nothing', ts: 'void 0', value: undefined },
];

const shown = async (language: 'js' | 'ts', source: string, scope: Record<string, unknown> = {}) =>
  (await run(compileJsCell(codeCell(language, source)), scope)).__quire_last;

describe('the last expression is displayed in TS as in JS', () => {
  for (const row of rows) {
    it(row.form, async () => {
      const js = await shown('js', row.js ?? row.ts, row.scope);
      const ts = await shown('ts', row.ts, row.scope);
      assert.deepEqual(js, row.value, 'js');
      assert.deepEqual(ts, row.value, 'ts');
    });
  }
});

describe('keeping the last expression changes nothing else', () => {
  it('declarations, inputs and the line map of a TS cell are those of the source', () => {
    const compiled = compileJsCell(codeCell('ts', 'const a: number = n;\ninterface I {}\n\n"a" + a;'));
    assert.deepEqual(compiled.declarations, ['a']);
    assert.deepEqual(compiled.inputs, ['n']);
    assert.ok(!compiled.code.includes('__quire_keep'));
    // The last expression is on line 4 of the source.
    const lines = compiled.code.split('\n');
    const at = lines.findIndex((line) => line.includes('__quire_last = ('));
    assert.equal(compiled.lineMap[at], 4);
  });

  it('a cell ending in a declaration with a type is compiled once, as before', () => {
    const compiled = compileJsCell(codeCell('ts', 'const a = 1 as number;\nconst b = `${a}`;'));
    assert.deepEqual(compiled.declarations, ['a', 'b']);
    assert.ok(!compiled.code.includes('__quire_keep'));
  });
});
