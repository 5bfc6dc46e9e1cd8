/**
 * The built-ins the editor completes and keeps cells from taking (src/protocol/names.ts) are
 * defined in a real kernel, each as a function or, for `secrets`, an object.
 * (tests/unit/protocol/names.test.ts checks that the kernel defines no other.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTINS } from '../../../src/protocol/index.js';
import { js, kernelPerSuite, run } from './helpers.js';

const fixture = kernelPerSuite();

test("every built-in of the protocol is one of the kernel's globals", async () => {
  const names = JSON.stringify(BUILTINS.map((b) => b.label));
  const { result, outputs } = await run(
    fixture.kernel,
    js(`return { __quire_last: JSON.stringify(${names}.map((name) => typeof globalThis[name])) };`),
  );
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  const expected = BUILTINS.map((b) => (b.type === 'namespace' ? 'object' : 'function'));
  assert.deepEqual(JSON.parse(String(outputs[0]?.data)), expected);
});
