/**
 * A hostile notebook against its kernel's boundary: forged results on the channel, an oversized
 * message, quire's own modules through every import form, another cell's secrets, and timers left
 * behind. Each test is an attack that worked before the fix it guards.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../../src/kernel/paths.js';
import { js, kernelPerSuite, run, streamText, waitGone, withKernel } from './helpers.js';

describe('kernel attacks', () => {
  const fixture = kernelPerSuite({
    files: {
      'lib/helper.mjs': 'export const answer = 42;\n',
      'lib/data.json': '{"rows": 3}\n',
    },
  });

  test('a cell cannot finish the next cell with a forged result', async () => {
    // The attack of the issue: today's sequence numbers were predictable, so a cell posted an `ok`
    // for the executions after its own and a failing cell then passed.
    const forger = js(
      [
        'const forge = (id) => ({ type: "cellFinished", seq: id, execution: String(id), cellId: "x", status: "ok", durationMs: 0, declared: [] });',
        'const send = typeof process.send === "function" ? process.send.bind(process) : undefined;',
        'setTimeout(() => { for (let id = 0; id < 200; id++) send?.(forge(id)); }, 50);',
        'return { __quire_last: typeof send };',
      ].join('\n'),
    );
    const first = await run(fixture.kernel, forger);
    assert.equal(first.result.status, 'ok');
    assert.deepEqual(
      first.outputs,
      [{ mime: 'text/plain', data: 'undefined' }],
      'a kernel has no process.send',
    );
    const failing = await run(
      fixture.kernel,
      js('await new Promise((r) => setTimeout(r, 300)); throw new Error("the real failure");'),
    );
    assert.equal(failing.result.status, 'error');
    assert.equal(failing.result.error?.message, 'the real failure');
  });

  test('frames written straight to the channel fd for guessed executions are ignored', async () => {
    const code = [
      'const v8 = await __quire_import("node:v8");',
      'const fs = await __quire_import("node:fs");',
      'const frame = (m) => { const body = v8.serialize(m); const h = Buffer.alloc(4); h.writeUInt32BE(body.length); return Buffer.concat([h, body]); };',
      'for (let i = 0; i < 50; i++) fs.writeSync(3, frame({ type: "cellFinished", execution: "00000000-0000-4000-8000-" + String(i).padStart(12, "0"), cellId: "x", status: "ok", durationMs: 0, declared: [] }));',
      'await new Promise((r) => setTimeout(r, 100));',
      'throw new Error("still failing");',
    ].join('\n');
    const { result } = await run(fixture.kernel, js(code));
    assert.equal(result.status, 'error');
    assert.equal(result.error?.message, 'still failing');
  });

  test('an oversized message ends the kernel with a clear error, and the host stays small', async () => {
    await withKernel({ workspace: fixture.workspace, messageCapBytes: 1024 * 1024 }, async (victim) => {
      const rssBefore = process.memoryUsage().rss;
      // A header announcing 1 GiB, followed by a few bytes: the host must refuse it by its header.
      const code = [
        'const fs = await __quire_import("node:fs");',
        'const h = Buffer.alloc(4); h.writeUInt32BE(1024 * 1024 * 1024);',
        'fs.writeSync(3, h); fs.writeSync(3, Buffer.alloc(64 * 1024));',
        'await new Promise((r) => setTimeout(r, 5000));',
      ].join('\n');
      const pid = victim.pid!;
      const { result } = await run(victim, js(code), { timeoutMs: 20_000 });
      assert.equal(result.failure, 'crash');
      assert.match(
        result.error?.message ?? '',
        /message of 1073741824 bytes, over the channel limit of 1048576 bytes/,
      );
      assert.ok(await waitGone(pid), 'the kernel is ended');
      assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024);
    });
  });

  test('an output too large for the channel becomes a note instead of ending the kernel', async () => {
    const caps = { messageCapBytes: 256 * 1024, outputCapBytes: 8 * 1024 * 1024 };
    await withKernel({ workspace: fixture.workspace, ...caps }, async (small) => {
      const { result, outputs } = await run(small, js('console.log("x".repeat(1024 * 1024)); return {};'));
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.match(JSON.stringify(outputs), /could not be sent: it is not serializable or too large/);
      assert.equal(small.alive, true);
    });
  });

  test("a dynamic import resolves against the notebook's folder", async () => {
    const code = [
      'const { answer } = await import("./lib/helper.mjs");',
      'const data = await import("./lib/data.json", { with: { type: "json" } });',
      'const viaEval = await eval("import(\'./lib/helper.mjs\')");',
      'const viaFunction = await new Function("return import(\'./lib/helper.mjs\')")();',
      'return { __quire_last: JSON.stringify([answer, data.default.rows, viaEval.answer, viaFunction.answer]) };',
    ].join('\n');
    const { result, outputs } = await run(fixture.kernel, js(code));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(outputs[0]?.data, '[42,3,42,42]');
  });

  test("no import form reaches quire's own modules", async () => {
    const root = packageRoot();
    const targets = [
      '../../connectors/kernel/duckdb.js',
      './runtime/addons.js',
      join(root, 'dist/kernel/runtime/addons.js'),
      join(root, 'dist/kernel/runtime.mjs'),
      join(root, 'dist/connectors/kernel/duckdb.js'),
    ];
    for (const target of targets) {
      for (const form of [
        `await import(${JSON.stringify(target)})`,
        `await eval(${JSON.stringify(`import(${JSON.stringify(target)})`)})`,
        `(await __quire_import("node:module")).createRequire(${JSON.stringify(root + '/')})(${JSON.stringify(target)})`,
      ]) {
        const { result, outputs } = await run(
          fixture.kernel,
          js(`const m = ${form}; return { __quire_last: Object.keys(m).length };`),
        );
        // Node 20.19+ may `require` the bundle itself: it is the module already loaded, and it exports nothing.
        if (result.status === 'ok' && target.endsWith('runtime.mjs')) {
          assert.equal(outputs[0]?.data, '0', form);
          continue;
        }
        assert.equal(result.status, 'error', `${form} must fail`);
        assert.match(
          `${result.error?.message} ${result.error?.stack ?? ''}`,
          /ERR_ACCESS_DENIED|not available to cells|Cannot find module|ERR_MODULE_NOT_FOUND|ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE|already running/,
          form,
        );
      }
    }
    // And the runtime's helpers cannot reopen an unlocked DuckDB: the kernel still refuses /etc/passwd.
    const sql = await run(
      fixture.kernel,
      js("const t = await sql`select count(*) as n from read_csv('/etc/passwd')`; return {};"),
    );
    assert.equal(sql.result.status, 'error');
  });

  test("secrets.get answers the declaring cell, not another cell's timer firing meanwhile", async () => {
    const spy = js(
      [
        'globalThis.stolen = [];',
        'globalThis.spy = setInterval(() => { try { stolen.push(secrets.get("API_KEY")); } catch (e) { stolen.push("denied: " + e.message); } }, 5);',
        'return {};',
      ].join('\n'),
    );
    assert.equal((await run(fixture.kernel, spy)).result.status, 'ok');
    const owner = js(
      'const k = secrets.get("API_KEY"); await new Promise((r) => setTimeout(r, 200)); return { __quire_last: k.length };',
      {
        secrets: { API_KEY: 'sk-live-0123456789' },
      },
    );
    const ran = await run(fixture.kernel, owner);
    assert.equal(ran.result.status, 'ok', JSON.stringify(ran.result.error));
    assert.equal(ran.outputs[0]?.data, '18');
    const report = await run(
      fixture.kernel,
      js('clearInterval(spy); return { __quire_last: JSON.stringify(stolen) };'),
    );
    const stolen = JSON.parse(String(report.outputs[0]?.data)) as string[];
    assert.ok(stolen.length > 3, 'the spy ran while the owner ran');
    assert.ok(!stolen.some((s) => s.includes('sk-live')), `stolen: ${stolen.join(', ')}`);
  });

  test("a cell's leftover timer neither prints into nor fails the next cell, and a re-run cancels it", async () => {
    const noisy = js(
      'setInterval(() => { console.log("tick from the first cell"); throw new Error("boom from a leftover timer"); }, 5); return {};',
      { cellId: 'noisy' },
    );
    assert.equal((await run(fixture.kernel, noisy)).result.status, 'ok');
    const quiet = await run(
      fixture.kernel,
      js('await new Promise((r) => setTimeout(r, 150)); console.log("mine"); return {};'),
    );
    assert.equal(quiet.result.status, 'ok');
    assert.equal(streamText(quiet.outputs), 'mine\n');
    // Running the noisy cell again (as a quiet one) cancels its interval.
    const rerun = await run(fixture.kernel, js('globalThis.ticks = 0; return {};', { cellId: 'noisy' }));
    assert.equal(rerun.result.status, 'ok');
    const probe = js(
      'const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length; return { __quire_last: before };',
    );
    const { outputs } = await run(fixture.kernel, probe);
    assert.equal(outputs[0]?.data, '0', 'no timer of the first run is left');
  });

  test("a deleted cell's timers are cancelled", async () => {
    const ticking = js('setInterval(() => {}, 1000); setTimeout(() => {}, 60_000); return {};', {
      cellId: 'doomed',
    });
    assert.equal((await run(fixture.kernel, ticking)).result.status, 'ok');
    const count = js(
      'return { __quire_last: process.getActiveResourcesInfo().filter((r) => r === "Timeout").length };',
    );
    assert.equal((await run(fixture.kernel, count)).outputs[0]?.data, '2');
    fixture.kernel.send({ type: 'forgetCell', cellId: 'doomed' });
    assert.equal((await run(fixture.kernel, count)).outputs[0]?.data, '0');
  });

  test('import.meta in a cell names the notebook, and createRequire from it resolves there', async () => {
    mkdirSync(join(fixture.workspace, 'node_modules/tiny'), { recursive: true });
    writeFileSync(
      join(fixture.workspace, 'node_modules/tiny/package.json'),
      '{"name":"tiny","main":"index.js"}',
    );
    writeFileSync(
      join(fixture.workspace, 'node_modules/tiny/index.js'),
      'module.exports = "tiny from the workspace";',
    );
    const code = [
      'const { createRequire } = await import("node:module");',
      'const req = createRequire(import.meta.url);',
      'return { __quire_last: JSON.stringify([req("tiny"), import.meta.resolve("./lib/helper.mjs").endsWith("/lib/helper.mjs"), import.meta.dirname === process.cwd()]) };',
    ].join('\n');
    // The analysis lowers `import.meta` to `__quire_meta` (tests/unit/analysis covers that step).
    const { result, outputs } = await run(fixture.kernel, js(code.replaceAll('import.meta', '__quire_meta')));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(outputs[0]?.data, '["tiny from the workspace",true,true]');
  });
});
