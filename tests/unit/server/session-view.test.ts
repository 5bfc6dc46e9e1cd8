/**
 * The pure views of a session (src/server/session-view.ts): a cell's snapshot and `cellInfo` from
 * a real engine state (real parser and analyser, a run played through `applyToState`), and
 * table pages served from an output's preview.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCell } from '../../../src/analysis/index.js';
import type { CellResult } from '../../../src/engine/engine.js';
import {
  applyToState,
  createState,
  type EngineState,
  type StateOperation,
} from '../../../src/engine/state/index.js';
import { parseNotebook } from '../../../src/format/index.js';
import type { Cell } from '../../../src/format/types.js';
import { identityRedactor } from '../../../src/outputs/redact.js';
import { MIME, type TableData } from '../../../src/outputs/types.js';
import type { CommandOf } from '../../../src/protocol/index.js';
import { SecretRedactor } from '../../../src/secrets/redactor.js';
import { cellInfo, snapshotCell, tablePage } from '../../../src/server/session-view.js';

const TEXT =
  '# Totals ${total}\n\n' +
  '```sql name=orders\nselect 1 as n\n```\n\n' +
  '```ts\nconst total = orders.rows.length;\nfunction twice(x) { return 2 * x; }\nvar total2; var total2;\n```\n\n' +
  '```ts name=after\nconst shown = twice(total);\n```\n';

const cells: Cell[] = parseNotebook(TEXT).notebook.cells;
const byId = (id: string): Cell => cells.find((c) => c.id === id) as Cell;

function play(state: EngineState, ...ops: StateOperation[]): EngineState {
  for (const op of ops) {
    const result = applyToState(state, op);
    assert.equal(result.error, undefined, result.error);
    state = result.state;
  }
  return state;
}

const fresh = (): EngineState => createState({ cells, analyze: analyzeCell });

describe('snapshotCell', () => {
  it('a cell never run: idle, no outputs, its declarations from the analysis (each once)', () => {
    const state = fresh();
    assert.deepEqual(snapshotCell(byId('cell-4'), state, new Map(), identityRedactor), {
      id: 'cell-4',
      kind: 'code',
      language: 'ts',
      source:
        'const total = orders.rows.length;\nfunction twice(x) { return 2 * x; }\nvar total2; var total2;',
      status: 'idle',
      outputs: [],
      declarations: ['total', 'twice', 'total2'],
    });
    assert.deepEqual(snapshotCell(byId('orders'), state, new Map(), identityRedactor), {
      id: 'orders',
      kind: 'code',
      language: 'sql',
      name: 'orders',
      source: 'select 1 as n',
      status: 'idle',
      outputs: [],
      declarations: ['orders'],
    });
    const prose = snapshotCell(byId('cell-1'), state, new Map(), identityRedactor);
    assert.equal(prose.kind, 'prose');
    assert.equal(prose.language, undefined);
    assert.deepEqual(prose.declarations, [], 'prose declares nothing, even with ${…}');
  });

  it('a failed cell: its error with secrets redacted, duration, outputs; its dependent skipped', () => {
    const redactor = new SecretRedactor();
    redactor.register('hunter2-secret');
    const state = play(
      fresh(),
      { type: 'runCell', id: 'after' },
      { type: 'cellStarted', id: 'orders' },
      { type: 'cellFinished', id: 'orders', status: 'ok' },
      { type: 'cellStarted', id: 'cell-4' },
      {
        type: 'cellFinished',
        id: 'cell-4',
        status: 'error',
        error: { name: 'Error', message: 'bad token hunter2-secret', line: 1 },
        failure: 'exception',
      },
    );
    const results = new Map<string, CellResult>([
      ['cell-4', { outputs: [{ mime: MIME.text, data: 'partial' }], durationMs: 12 }],
    ]);
    const failed = snapshotCell(byId('cell-4'), state, results, redactor);
    assert.equal(failed.status, 'error');
    assert.deepEqual(failed.error, { name: 'Error', message: 'bad token [REDACTED]', line: 1 });
    assert.equal(failed.durationMs, 12);
    assert.deepEqual(failed.outputs, [{ mime: MIME.text, data: 'partial' }]);
    const skipped = snapshotCell(byId('after'), state, results, redactor);
    assert.equal(skipped.status, 'skipped');
    assert.equal(skipped.skippedBecause, 'cell-4');
    assert.deepEqual(skipped.declarations, ['shown']);
  });

  it('a running cell shows no duration (the last run’s is out of date)', () => {
    const state = play(fresh(), { type: 'runCell', id: 'orders' }, { type: 'cellStarted', id: 'orders' });
    const results = new Map<string, CellResult>([['orders', { outputs: [], durationMs: 5 }]]);
    const running = snapshotCell(byId('orders'), state, results, identityRedactor);
    assert.equal(running.status, 'running');
    assert.equal(running.durationMs, undefined);
  });
});

describe('cellInfo', () => {
  it('carries the name when there is one and the declarations', () => {
    const state = fresh();
    assert.deepEqual(cellInfo(byId('orders'), state), {
      type: 'cellInfo',
      cellId: 'orders',
      name: 'orders',
      declarations: ['orders'],
    });
    assert.deepEqual(cellInfo(byId('cell-4'), state), {
      type: 'cellInfo',
      cellId: 'cell-4',
      declarations: ['total', 'twice', 'total2'],
    });
    assert.deepEqual(cellInfo(byId('cell-1'), state), {
      type: 'cellInfo',
      cellId: 'cell-1',
      declarations: [],
    });
  });
});

describe('tablePage from the preview', () => {
  const table: TableData = {
    columns: [
      { name: 'region', type: 'VARCHAR' },
      { name: 'total', type: 'INTEGER' },
    ],
    rows: [
      ['EU', 30],
      ['US', null],
      ['APAC', 10],
      ['LATAM', 20],
    ],
    rowCount: 1000,
    truncated: true,
  };
  const result: CellResult = {
    outputs: [
      { mime: MIME.text, data: 'before' },
      { mime: MIME.table, data: table },
      { mime: MIME.table, data: { ...table, rows: [['only', 1]], rowCount: 1, truncated: false } },
    ],
    durationMs: 3,
  };
  const page = (extra: Partial<CommandOf<'tablePage'>>): CommandOf<'tablePage'> => ({
    type: 'tablePage',
    requestId: 'p1',
    cellId: 'orders',
    offset: 0,
    limit: 2,
    ...extra,
  });

  it('pages the first table; pageableRows is the preview, rowCount the whole result', () => {
    assert.deepEqual(tablePage(page({ offset: 1 }), result), {
      type: 'tablePage',
      requestId: 'p1',
      cellId: 'orders',
      offset: 1,
      columns: table.columns,
      rows: [
        ['US', null],
        ['APAC', 10],
      ],
      pageableRows: 4,
      rowCount: 1000,
    });
    const past = tablePage(page({ offset: 10 }), result);
    assert.deepEqual(typeof past === 'string' ? past : past.rows, []);
  });

  it('sorts the preview: nulls last both ways, numbers as numbers', () => {
    const rowsOf = (sort: { column: string; descending: boolean }): unknown[][] => {
      const answer = tablePage(page({ limit: 10, sort }), result);
      assert.ok(typeof answer !== 'string', String(answer));
      return answer.rows;
    };
    assert.deepEqual(
      rowsOf({ column: 'total', descending: false }).map((r) => r[1]),
      [10, 20, 30, null],
    );
    assert.deepEqual(
      rowsOf({ column: 'total', descending: true }).map((r) => r[1]),
      [30, 20, 10, null],
    );
    assert.deepEqual(
      rowsOf({ column: 'region', descending: false }).map((r) => r[0]),
      ['APAC', 'EU', 'LATAM', 'US'],
    );
  });

  it('picks a table by output index; says why when there is nothing to page', () => {
    const second = tablePage(page({ outputIndex: 2 }), result);
    assert.ok(typeof second !== 'string');
    assert.deepEqual([second.rows, second.rowCount], [[['only', 1]], 1]);
    assert.equal(tablePage(page({ outputIndex: 0 }), result), 'cell orders has no table output at 0');
    assert.equal(tablePage(page({}), undefined), 'cell orders has no table output');
    assert.equal(
      tablePage(page({ sort: { column: 'nope', descending: false } }), result),
      'the table has no column "nope"',
    );
  });
});
