/** The kernel runs cells: values flow between them, outputs come back, errors point at cell lines. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dataOf, js, kernelPerSuite, run, streamText, withKernel } from './helpers.js';

const esmOnlyPackage = {
  'node_modules/esm-only/package.json': JSON.stringify({
    name: 'esm-only',
    type: 'module',
    exports: { '.': { import: './index.js' } },
  }),
  'node_modules/esm-only/index.js': 'export const answer = 42;\n',
  'lib/helper.mjs': 'export function double(x) { return 2 * x; }\n',
  'data/hello.txt': 'hello from the workspace\n',
};

describe('kernel basics', () => {
  const fixture = kernelPerSuite({ files: esmOnlyPackage });

  test('starts and runs a trivial cell', async () => {
    assert.equal(fixture.kernel.alive, true);
    const { result } = await run(fixture.kernel, js('return {};'));
    assert.equal(result.status, 'ok');
    assert.deepEqual(result.declared, []);
  });

  test('declarations of one cell are the inputs of the next', async () => {
    const first = await run(
      fixture.kernel,
      js('const a = 20; let b = 1; return {a, b};', { declarations: ['a', 'b'] }),
    );
    assert.deepEqual(first.result.declared, ['a', 'b']);
    const second = await run(fixture.kernel, js('return {__quire_last: a + b * 2};', { inputs: ['a', 'b'] }));
    assert.deepEqual(second.outputs, [{ mime: 'text/plain', data: '22' }]);
  });

  test('the last expression value is shown, undefined is not', async () => {
    const shown = await run(fixture.kernel, js('return {__quire_last: {n: 1, s: "x"}};'));
    assert.deepEqual(dataOf(shown.outputs, 'application/json'), [{ n: 1, s: 'x' }]);
    const nothing = await run(fixture.kernel, js('return {__quire_last: undefined};'));
    assert.deepEqual(nothing.outputs, []);
  });

  test('display() adds outputs in order with console output', async () => {
    const { outputs } = await run(
      fixture.kernel,
      js('console.log("before"); display(html`<b>${"<x>"}</b>`); display(3); return {};'),
    );
    assert.deepEqual(outputs, [
      { mime: 'application/vnd.quire.stream+json', data: { name: 'stdout', text: 'before\n' } },
      { mime: 'text/html', data: '<b>&lt;x&gt;</b>' },
      { mime: 'text/plain', data: '3' },
    ]);
  });

  test('console and process streams are captured and coalesced', async () => {
    const code =
      'for (let i = 0; i < 1000; i++) console.log(i); console.error("oops"); process.stdout.write("raw\\n"); return {};';
    const { outputs } = await run(fixture.kernel, js(code));
    const expected = Array.from({ length: 1000 }, (_, i) => `${i}\n`).join('');
    assert.equal(streamText(outputs, 'stdout'), `${expected}raw\n`);
    assert.equal(streamText(outputs, 'stderr'), 'oops\n');
    assert.ok(outputs.length <= 4, `expected coalesced chunks, got ${outputs.length}`);
  });

  test('top-level await works', async () => {
    const code =
      'const v = await new Promise((r) => setTimeout(() => r(7), 20)); return {v, __quire_last: v};';
    const { result, outputs } = await run(fixture.kernel, js(code, { declarations: ['v'] }));
    assert.equal(result.status, 'ok');
    assert.deepEqual(outputs, [{ mime: 'text/plain', data: '7' }]);
  });

  test('a throwing cell reports the error at its cell line', async () => {
    // Generated lines 1..3 come from cell lines 2..4 (the compiler dropped a comment line).
    const code = 'const a = 1;\nconst b = a + 1;\nthrow new RangeError("boom " + b);';
    const { result } = await run(fixture.kernel, js(code, { lineMap: [2, 3, 4] }));
    assert.equal(result.status, 'error');
    assert.equal(result.failure, 'exception');
    assert.equal(result.error?.name, 'RangeError');
    assert.equal(result.error?.message, 'boom 2');
    assert.equal(result.error?.line, 4);
    assert.equal(result.error?.column, 7);
    assert.match(result.error?.stack ?? '', /quire-cell-.*\.js:4:7/);
    assert.doesNotMatch(result.error?.stack ?? '', /kernel\/runtime/);
  });

  test('a missing input is a ReferenceError naming it', async () => {
    const { result } = await run(fixture.kernel, js('return {__quire_last: nope};', { inputs: ['nope'] }));
    assert.equal(result.error?.name, 'ReferenceError');
    assert.match(result.error?.message ?? '', /nope is not defined/);
  });

  test('re-running a cell that now fails forgets its old values', async () => {
    const cell = js('const gone = 1; return {gone};', { declarations: ['gone'] });
    await run(fixture.kernel, cell);
    await run(fixture.kernel, { ...cell, code: 'throw new Error("now broken");' });
    const { result } = await run(fixture.kernel, js('return {__quire_last: gone};', { inputs: ['gone'] }));
    assert.equal(result.error?.name, 'ReferenceError');
  });

  test('defineValues and deleteNames change the scope in order', async () => {
    fixture.kernel.send({ type: 'defineValues', values: { limit: 5, when: new Date(0) } });
    const { outputs } = await run(
      fixture.kernel,
      js('return {__quire_last: [limit, when instanceof Date]};', { inputs: ['limit', 'when'] }),
    );
    assert.deepEqual(dataOf(outputs, 'application/json'), [[5, true]]);
    fixture.kernel.send({ type: 'deleteNames', names: ['limit'] });
    const { result } = await run(fixture.kernel, js('return {__quire_last: limit};', { inputs: ['limit'] }));
    assert.equal(result.error?.name, 'ReferenceError');
  });

  test('imports resolve from the workspace: ESM-only package, relative file, builtin', async () => {
    const code = [
      'const { answer } = await __quire_import("esm-only");',
      'const { double } = await __quire_import("./lib/helper.mjs");',
      'const fs = await __quire_import("node:fs");',
      'return {__quire_last: [double(answer), fs.readFileSync("data/hello.txt", "utf8")]};',
    ].join('\n');
    const { result, outputs } = await run(fixture.kernel, js(code));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(dataOf(outputs, 'application/json'), [[84, 'hello from the workspace\n']]);
  });

  test('with cwd set, relative paths and imports resolve from it', async () => {
    const { workspace } = fixture;
    await withKernel({ workspace, cwd: `${workspace}/lib` }, async (inDir) => {
      const code =
        'const { double } = await __quire_import("./helper.mjs"); return {__quire_last: [double(2), process.cwd().endsWith("/lib")]};';
      const { result, outputs } = await run(inDir, js(code));
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.deepEqual(dataOf(outputs, 'application/json'), [[4, true]]);
    });
  });

  test('prose interpolations are substituted, escaped, html inserted raw', async () => {
    await run(
      fixture.kernel,
      js('const who = "<Ada>"; const badge = html`<em>ok</em>`; return {who, badge};', {
        declarations: ['who', 'badge'],
      }),
    );
    const source = 'Hello ${who}, status ${badge}, sum ${1 + 2}.';
    const { result, outputs } = await run(fixture.kernel, {
      type: 'renderProse',
      cellId: 'p1',
      inputs: ['who', 'badge'],
      expressions: ['who', 'badge', '1 + 2'],
      source,
      interpolations: [...source.matchAll(/\$\{[^}]*\}/g)].map((m) => ({
        start: m.index,
        end: m.index + m[0].length,
      })),
    });
    assert.equal(result.status, 'ok');
    assert.deepEqual(outputs, [
      { mime: 'text/markdown', data: 'Hello &lt;Ada&gt;, status <em>ok</em>, sum 3.' },
    ]);
  });

  test('an error thrown later by a finished cell does not kill the kernel', async () => {
    await run(
      fixture.kernel,
      js(
        'setTimeout(() => { globalThis.lateThrown = true; throw new Error("late"); }, 10); Promise.reject(new Error("nobody awaits")); return {};',
      ),
    );
    // The next cell waits in the kernel until the late error was thrown (a kernel it killed would
    // not finish the cell), however long the first cell's timer took to fire.
    const { result } = await run(
      fixture.kernel,
      js(
        'while (!globalThis.lateThrown) await new Promise((r) => setTimeout(r, 5)); return {__quire_last: 1};',
      ),
    );
    assert.equal(result.status, 'ok');
    assert.equal(fixture.kernel.alive, true);
  });

  test('an unhandled rejection during a cell shows on its stderr', async () => {
    const code =
      'Promise.reject(new Error("dropped")); await new Promise((r) => setTimeout(r, 20)); return {};';
    const { outputs } = await run(fixture.kernel, js(code));
    assert.match(streamText(outputs, 'stderr'), /Unhandled rejection: Error: dropped/);
  });
});
