/** The lowering of JS/TS cells, checked by running the compiled code the way the kernel does. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CellSourceError, analyzeCell, compileJsCell } from '../../../src/analysis/index.js';
import { codeCell, generatedLineOf, run } from './helpers.js';

const js = (source: string) => compileJsCell(codeCell('js', source));
const ts = (source: string) => compileJsCell(codeCell('ts', source));

test('returns declarations and the last expression value', async () => {
  const compiled = js('const a = 1;\nlet [b, {c}] = [2, {c: 3}];\na + b + c');
  assert.deepEqual(compiled.declarations, ['a', 'b', 'c']);
  assert.deepEqual(await run(compiled), { __quire_last: 6, a: 1, b: 2, c: 3 });
});

test('a cell ending in a declaration shows nothing', async () => {
  const result = await run(js('1 + 1;\nconst a = 2;'));
  assert.equal(result.__quire_last, undefined);
  assert.equal(result.a, 2);
});

test('inputs are passed as parameters', async () => {
  const compiled = js('const total = price * qty;');
  assert.deepEqual(compiled.inputs.toSorted(), ['price', 'qty']);
  assert.equal((await run(compiled, { price: 3, qty: 4 })).total, 12);
});

test('top-level await works', async () => {
  const result = await run(js('const v = await Promise.resolve(x);\nawait v'), { x: 7 });
  assert.deepEqual(result, { __quire_last: 7, v: 7 });
});

test('var, function and class declarations are returned', async () => {
  const result = await run(js('var v = 1;\nfunction f() { return v + 1; }\nclass K {}'));
  assert.equal((result.f as () => number)(), 2);
  assert.equal(typeof result.K, 'function');
});

test('imports become awaited __quire_import calls', async () => {
  const modules: Record<string, unknown> = { pkg: { default: 'D', a: 'A', 'x-y': 'XY' } };
  const compiled = js(
    "import d, {a as b, 'x-y' as xy} from 'pkg';\nimport * as ns from 'pkg';\nimport 'pkg';\nb",
  );
  assert.ok(!compiled.inputs.includes('__quire_import'));
  const result = await run(compiled, { __quire_import: async (name: string) => modules[name] });
  assert.deepEqual(result, { __quire_last: 'A', d: 'D', b: 'A', xy: 'XY', ns: modules.pkg });
});

test('a default plus namespace import binds both', async () => {
  const result = await run(js("import d, * as ns from 'm';"), {
    __quire_import: async () => ({ default: 5 }),
  });
  assert.equal(result.d, 5);
  assert.deepEqual(result.ns, { default: 5 });
});

test('import attributes are passed on', async () => {
  let seen: unknown;
  const importer = async (_name: string, options: unknown) => ((seen = options), { default: 1 });
  await run(js("import data from './x.json' with { type: 'json' };"), { __quire_import: importer });
  assert.deepEqual(seen, { with: { type: 'json' } });
});

test('a real module loads through a dynamic import', async () => {
  const result = await run(js("import {join} from 'node:path';\njoin('a', 'b')"));
  assert.equal(result.__quire_last, 'a/b');
});

test('export keywords are removed; export {…} is ignored', async () => {
  const result = await run(
    js('export const a = 1;\nexport function f() { return a; }\nexport { a as b };\nf()'),
  );
  assert.deepEqual(result.__quire_last, 1);
  assert.deepEqual(Object.keys(result).toSorted(), ['__quire_last', 'a', 'f']);
});

test('export default and re-exports are errors', () => {
  for (const source of [
    'export default 1;',
    "export * from 'm';",
    "export {a} from 'm';",
    'const a = 1;\nexport {a as default};',
  ]) {
    assert.throws(() => js(source), CellSourceError, source);
    assert.ok(analyzeCell(codeCell('js', source)).error, source);
  }
});

test('names starting with __quire_ are reserved', () => {
  assert.throws(
    () => js('let a;\nconst __quire_last = 1;'),
    (e: CellSourceError) => e.line === 2,
  );
  assert.match(analyzeCell(codeCell('ts', 'function __quire_import() {}')).error?.message ?? '', /reserved/);
});

test('the last expression keeps a trailing comment out of the parentheses', async () => {
  assert.equal((await run(js('const a = 2;\na * 3 // six'))).__quire_last, 6);
  assert.deepEqual((await run(js('({a: 1})'))).__quire_last, { a: 1 });
  assert.equal((await run(js('1, 2;;'))).__quire_last, 2);
});

test('generated lines match cell lines in JS, multi-line imports included', async () => {
  const source = "import {\n  a,\n  b\n} from 'm';\nconst c = a + b;\nthrow new Error('boom');";
  const compiled = js(source);
  assert.equal(compiled.code.split('\n').length, compiled.lineMap.length);
  const error = await run(compiled, { __quire_import: async () => ({ a: 1, b: 2 }) }).catch((e: Error) => e);
  assert.ok(error instanceof Error);
  assert.equal(compiled.lineMap[generatedLineOf(error) - 1], 6);
});

test('a TS error line maps to the TS source line past removed interfaces', async () => {
  const source = [
    'interface Row {',
    '  id: number;',
    '}',
    "import type { Other } from 'types';",
    'type Rows = Row[];',
    'const rows: Rows = [{ id: 1 }];',
    'const first = rows[0] as Row;',
    'if (first.id === 1) {',
    '  throw new Error(`bad row ${first.id}`);',
    '}',
  ].join('\n');
  const compiled = ts(source);
  assert.equal(compiled.code.split('\n').length, compiled.lineMap.length);
  const error = await run(compiled).catch((e: Error) => e);
  assert.ok(error instanceof Error);
  assert.equal(error.message, 'bad row 1');
  assert.equal(compiled.lineMap[generatedLineOf(error) - 1], 9);
});

test('a TS cell keeps its last value and unused imports', async () => {
  const compiled = ts(
    "import * as m from 'm';\nenum E { A = 1 }\nexport const n: number = E.A;\nn satisfies number",
  );
  const result = await run(compiled, { __quire_import: async () => ({ k: 1 }) });
  assert.deepEqual(result.__quire_last, 1);
  assert.deepEqual(result.m, { k: 1 });
  assert.deepEqual(compiled.declarations.toSorted(), ['E', 'm', 'n']);
});

test('import.meta becomes the kernel’s __quire_meta, in JS and TS, anywhere in the cell', () => {
  for (const compiled of [
    js(
      'const here = import.meta.url;\nfunction f() { return import.meta.resolve("./x.mjs"); }\nimport.meta.dirname',
    ),
    ts('const here: string = import.meta.url;\nimport.meta.dirname as string'),
  ]) {
    assert.doesNotMatch(compiled.code, /import\.meta/);
    assert.match(compiled.code, /__quire_meta\.url/);
    assert.match(compiled.code, /__quire_last = \(__quire_meta\.dirname/);
    assert.ok(!compiled.inputs.includes('__quire_meta'));
  }
});
