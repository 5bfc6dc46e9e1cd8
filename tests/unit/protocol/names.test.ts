/**
 * One list of names and states, read by both sides: the kernel defines exactly the protocol's
 * built-ins, the protocol's cell states are the engine's, and the editor's name rules are the
 * protocol's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  BUILTIN_NAMES,
  CELL_STATES,
  RESERVED_WORDS,
  RUN_STATES,
  RunStatus,
} from '../../../src/protocol/index.js';
import { cellNameError } from '../../../src/ui/cell-names.js';
import type { SnapshotCell } from '../../../src/protocol/index.js';
import { FINAL_STATES } from '../../../src/store/types.js';

test('the kernel defines exactly the built-ins of the protocol', () => {
  const source = readFileSync(new URL('../../../src/kernel/runtime/globals.ts', import.meta.url), 'utf8');
  const defined = [...source.matchAll(/\bdefine\('([^']+)'/g)].map((m) => m[1]);
  assert.deepEqual([...defined].sort(), [...BUILTIN_NAMES].sort());
});

test("the protocol's cell states are one list; final run states are run states", () => {
  assert.deepEqual(RunStatus.options, [...CELL_STATES]);
  for (const state of FINAL_STATES) assert.ok((RUN_STATES as readonly string[]).includes(state));
});

test("the editor refuses the protocol's reserved words and built-ins as a SQL cell's name", () => {
  const cell: SnapshotCell = {
    id: 'q',
    kind: 'code',
    language: 'sql',
    source: '',
    status: 'idle',
    outputs: [],
    declarations: [],
  };
  const state = { cells: [cell], params: { schema: [], values: {} } } as never;
  for (const word of ['class', 'await', 'yield']) {
    assert.ok(RESERVED_WORDS.has(word));
    assert.equal(cellNameError(word, cell, state), `"${word}" is a reserved word`);
  }
  for (const name of BUILTIN_NAMES) assert.equal(cellNameError(name, cell, state), `"${name}" is a built-in`);
});
