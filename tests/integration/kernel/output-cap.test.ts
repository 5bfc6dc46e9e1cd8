/** A cell's output is capped at both ends: the runtime stops sending, the host stops accepting. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Output } from '../../../src/outputs/types.js';
import { js, kernelPerSuite, run, streamText } from './helpers.js';

const MiB = 1024 * 1024;
const MARKER = '\n… output truncated at 2 MiB …\n';

/** Stream text bytes plus the JSON size of any other output. */
function totalBytes(outputs: Output[]): number {
  const others = outputs.filter((o) => o.mime !== 'application/vnd.quire.stream+json');
  return (
    Buffer.byteLength(streamText(outputs)) + others.reduce((sum, o) => sum + JSON.stringify(o.data).length, 0)
  );
}

function markers(outputs: Output[]): number {
  return outputs.filter((o) => streamText([o]) === MARKER).length;
}

describe('output cap', () => {
  const fixture = kernelPerSuite();

  test('printing 100 MB yields 2 MiB and one marker; the host stays small', async () => {
    const rssBefore = process.memoryUsage().rss;
    const code =
      'const line = "x".repeat(1023); for (let i = 0; i < 100 * 1024; i++) console.log(line); return {__quire_last: "done"};';
    const { result, outputs } = await run(fixture.kernel, js(code), { timeoutMs: 60_000 });
    assert.equal(result.status, 'ok');
    const text = streamText(outputs);
    assert.equal(markers(outputs), 1);
    assert.ok(text.endsWith(MARKER), 'the marker comes last among streams');
    assert.equal(Buffer.byteLength(text) - Buffer.byteLength(MARKER), 2 * MiB);
    assert.ok(
      totalBytes(outputs) <= 2 * MiB + Buffer.byteLength(MARKER),
      'nothing past the cap is delivered',
    );
    assert.ok(!outputs.some((o) => o.data === 'done'), 'outputs after the cap are dropped too');
    const growth = process.memoryUsage().rss - rssBefore;
    assert.ok(growth < 64 * MiB, `host RSS grew by ${Math.round(growth / MiB)} MiB`);
  });

  test('the host enforces the cap on a cell that bypasses the runtime', async () => {
    // Native writes to fd 1 never pass the runtime's budget: the host's own budget stops them.
    const code = [
      'const fs = await __quire_import("node:fs");',
      'const chunk = Buffer.alloc(64 * 1024, "y");',
      // fd 1 is a non-blocking pipe: a full pipe answers EAGAIN, and the cell tries again.
      `for (let sent = 0; sent < 5 * ${MiB}; ) { try { sent += fs.writeSync(1, chunk); } catch (e) { if (e.code !== "EAGAIN") throw e; await new Promise((r) => setTimeout(r, 1)); } }`,
      'await new Promise((r) => setTimeout(r, 300));',
      'return {};',
    ].join('\n');
    const { outputs } = await run(fixture.kernel, js(code), { timeoutMs: 60_000 });
    assert.equal(markers(outputs), 1);
    assert.ok(totalBytes(outputs) <= 2 * MiB + Buffer.byteLength(MARKER));
  });

  test("native writes to fd 1 are captured as the running cell's stdout", async () => {
    const code =
      'const fs = await __quire_import("node:fs"); fs.writeSync(1, "native\\n"); await new Promise((r) => setTimeout(r, 100)); return {};';
    const { outputs } = await run(fixture.kernel, js(code));
    assert.equal(streamText(outputs, 'stdout'), 'native\n');
  });

  test('the cap is per execution: the next cell prints again', async () => {
    const { outputs } = await run(fixture.kernel, js('console.log("fresh"); return {};'));
    assert.equal(streamText(outputs), 'fresh\n');
  });
});
