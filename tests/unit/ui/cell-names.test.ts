/**
 * Checks before structural commands (src/ui/cell-names.ts): which names a cell may take, the
 * fresh name of a new SQL cell, and where prose may be inserted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Snapshot, SnapshotCell } from '../../../src/protocol/index.js';
import { canInsertProse, cellNameError, freshName, takenNames } from '../../../src/ui/cell-names.js';

const cell = (id: string, extra: Partial<SnapshotCell> = {}): SnapshotCell => ({
  id,
  kind: 'code',
  language: 'ts',
  source: '',
  status: 'idle',
  outputs: [],
  declarations: [],
  ...extra,
});

const sql = cell('orders', { language: 'sql', name: 'orders', declarations: ['orders'] });
const ts = cell('cell-2', { declarations: ['top', 'query1'] });
const prose = cell('cell-3', { kind: 'prose' });
const state: Pick<Snapshot, 'cells' | 'params'> = {
  cells: [sql, ts, prose, cell('named', { name: 'named' })],
  params: { schema: [{ name: 'region', type: 'string' }], values: {} },
};

test('a name must be an identifier and not a reserved word; empty removes it', () => {
  assert.equal(cellNameError('', sql, state), null);
  assert.equal(cellNameError('sales', sql, state), null);
  assert.equal(cellNameError('_x$1', sql, state), null);
  assert.match(cellNameError('1st', sql, state) ?? '', /identifier/);
  assert.match(cellNameError('my-name', sql, state) ?? '', /identifier/);
  assert.match(cellNameError('has space', sql, state) ?? '', /identifier/);
  assert.match(cellNameError('class', ts, state) ?? '', /reserved/);
});

test('no two cells share a name; keeping its own name is fine', () => {
  assert.match(cellNameError('named', sql, state) ?? '', /another cell is named "named"/);
  assert.match(cellNameError('orders', ts, state) ?? '', /another cell/);
  assert.equal(cellNameError('orders', sql, state), null);
  // a renamed cell keeps its old name as its id: the id does not hold the name
  const renamed = cell('old', { name: 'fresh' });
  assert.equal(cellNameError('old', cell('x'), { ...state, cells: [...state.cells, renamed] }), null);
});

test("a SQL cell's name is a variable: not another cell's declaration, a param or a built-in", () => {
  assert.match(cellNameError('top', sql, state) ?? '', /already declared by cell cell-2/);
  assert.match(cellNameError('region', sql, state) ?? '', /is a param/);
  assert.match(cellNameError('display', sql, state) ?? '', /built-in/);
  // a TS cell's name is only its identity
  assert.equal(cellNameError('top', cell('x'), state), null);
});

test('a new SQL cell gets the first name nothing else uses', () => {
  const taken = takenNames(state);
  for (const name of ['orders', 'top', 'query1', 'region', 'display', 'cell-3', 'named'])
    assert.ok(taken.has(name), name);
  assert.equal(freshName('query', taken), 'query2');
  assert.equal(freshName('query', new Set()), 'query1');
});

test('prose is offered only where it touches no other prose', () => {
  const cells = [{ kind: 'prose' }, { kind: 'code' }, { kind: 'code' }, { kind: 'prose' }] as const;
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => canInsertProse(cells, i)),
    [false, false, true, false, false],
  );
  assert.equal(canInsertProse([], 0), true);
  assert.equal(canInsertProse([{ kind: 'code' }], 1), true);
});
