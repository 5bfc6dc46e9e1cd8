/**
 * One JSON convention for bigint (src/protocol/json.ts): a safe integer is a number, anything
 * larger its decimal string — alike in display outputs, table previews and log lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toJsonSafe as previewValue } from '../../../src/connectors/kernel/json-safe.js';
import { createLogger } from '../../../src/metrics/log.js';
import { toJsonSafe as outputValue } from '../../../src/outputs/json-safe.js';
import { bigintToJson } from '../../../src/protocol/index.js';

const CASES: [bigint, number | string][] = [
  [0n, 0],
  [-5n, -5],
  [2n ** 53n - 1n, 2 ** 53 - 1],
  [-(2n ** 53n - 1n), -(2 ** 53 - 1)],
  [2n ** 53n, '9007199254740992'],
  [-(2n ** 64n), '-18446744073709551616'],
];

function logged(value: bigint): unknown {
  const lines: string[] = [];
  const logger = createLogger({ stream: { write: (line: string) => lines.push(line) } });
  logger.info('value', { value });
  return (JSON.parse(lines[0] ?? '{}') as { value?: unknown }).value;
}

test('a bigint is a number when safe, else its decimal string, wherever it becomes JSON', () => {
  for (const [value, json] of CASES) {
    assert.equal(bigintToJson(value), json, String(value));
    assert.deepEqual(outputValue({ value }), { value: json }, `display: ${value}`);
    assert.deepEqual(previewValue({ value }), { value: json }, `preview: ${value}`);
    assert.equal(logged(value), json, `log: ${value}`);
  }
});
