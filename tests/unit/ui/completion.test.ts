/**
 * What completion offers (src/ui/completion/names.ts): other cells' declarations, SQL results with
 * their columns, params and built-ins; SQL text gets tables and `${param}`; members after `name.`;
 * and where a SQL `${…}` is open. Pure: no CodeMirror view.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Snapshot, SnapshotCell } from '../../../src/protocol/index.js';
import {
  codeCompletions,
  insideInterpolation,
  memberCompletions,
  notebookNames,
  sqlCompletions,
} from '../../../src/ui/completion/names.js';

const code = (
  id: string,
  language: 'ts' | 'js' | 'sql',
  declarations: string[],
  extra: Partial<SnapshotCell> = {},
) =>
  ({
    id,
    kind: 'code',
    language,
    source: '',
    status: 'idle',
    outputs: [],
    declarations,
    ...extra,
  }) as SnapshotCell;

const state: Pick<Snapshot, 'cells' | 'params'> = {
  cells: [
    code('orders', 'sql', ['orders'], {
      name: 'orders',
      outputs: [
        {
          mime: 'application/vnd.quire.table+json',
          data: {
            columns: [
              { name: 'region', type: 'VARCHAR' },
              { name: 'total', type: 'DOUBLE' },
            ],
            rows: [],
            rowCount: 0,
            truncated: false,
          },
        },
      ],
    }),
    code('cell-2', 'ts', ['top', 'revenue']),
    { id: 'cell-3', kind: 'prose', source: 'Hi ${top}', status: 'idle', outputs: [], declarations: [] },
    code('cell-4', 'ts', ['mine']),
    // declared twice (an error the cells show): listed once
    code('cell-5', 'js', ['top']),
    // a SQL cell before the server reports its declarations: its name still counts
    code('q2', 'sql', [], { name: 'q2' }),
  ],
  params: {
    schema: [{ name: 'region', type: 'string', description: 'which region' }],
    values: {},
  },
};

test('names: other cells first (the editing cell left out), then params, then built-ins, each once', () => {
  const names = notebookNames(state, 'cell-4');
  const labels = names.map((n) => n.label);
  assert.deepEqual(labels, [
    'orders',
    'top',
    'revenue',
    'q2',
    'region',
    'display',
    'html',
    'md',
    'vegalite',
    'sql',
    'secrets',
    // the built-ins are the protocol's list (src/protocol/names.ts), which has the kernel's `metric`
    'metric',
  ]);
  const orders = names.find((n) => n.label === 'orders');
  assert.equal(orders?.kind, 'table');
  assert.deepEqual(
    orders?.columns?.map((c) => c.name),
    ['region', 'total'],
  );
  assert.equal(names.find((n) => n.label === 'top')?.detail, 'cell cell-2');
  assert.equal(names.find((n) => n.label === 'region')?.info, 'which region');
  assert.ok(notebookNames(state, 'cell-2').some((n) => n.label === 'mine'));
  assert.ok(!notebookNames(state, 'cell-2').some((n) => n.label === 'revenue'));
});

test('code completions rank cell names over params over built-ins; ${…} in SQL leaves the built-ins out', () => {
  const options = codeCompletions(notebookNames(state, 'cell-4'));
  const boost = (label: string) => options.find((o) => o.label === label)?.boost ?? -100;
  assert.ok(boost('revenue') > boost('region'));
  assert.ok(boost('region') > boost('display'));
  assert.equal(options.find((o) => o.label === 'secrets')?.type, 'namespace');
  const inSql = codeCompletions(notebookNames(state, 'q2'), false).map((o) => o.label);
  assert.ok(inSql.includes('region') && inSql.includes('orders'));
  assert.ok(!inSql.includes('display'));
});

test('SQL completions: results as tables, columns of the results the query names, params as ${…}', () => {
  const names = notebookNames(state, 'q2');
  const without = sqlCompletions(names, 'select * from ');
  assert.equal(without.find((o) => o.label === 'orders')?.type, 'type');
  assert.ok(!without.some((o) => o.label === 'total'), 'no columns before the table is named');
  assert.equal(without.find((o) => o.label === 'top')?.type, 'variable');
  const param = without.find((o) => o.label === 'region');
  assert.equal(param?.apply, '${region}');
  assert.equal(param?.displayLabel, '${region}');
  assert.ok(!without.some((o) => o.label === 'display'), 'built-ins are not tables');

  const withTable = sqlCompletions(names, 'select t from orders');
  const total = withTable.find((o) => o.label === 'total');
  assert.equal(total?.detail, 'orders · DOUBLE');
  assert.ok((total?.boost ?? 0) > (withTable.find((o) => o.label === 'orders')?.boost ?? 0));
});

test('members: a SQL result has rows and columns, secrets has get, anything else is not ours', () => {
  const names = notebookNames(state);
  assert.deepEqual(
    memberCompletions(['orders'], names)?.map((o) => o.label),
    ['rows', 'columns'],
  );
  assert.match(String(memberCompletions(['orders'], names)?.[0]?.info), /region, total/);
  assert.deepEqual(
    memberCompletions(['secrets'], names)?.map((o) => o.label),
    ['get'],
  );
  assert.equal(memberCompletions(['top'], names), null);
  assert.equal(memberCompletions(['orders', 'rows'], names), null);
});

test('insideInterpolation: an open ${ with balanced braces inside', () => {
  const cases: [string, boolean][] = [
    ['select ', false],
    ['where a = ${', true],
    ['where a = ${reg', true],
    ['where a = ${region} and b = ', false],
    ['where a = ${ {x: 1}.x', true],
    ['where a = ${ {x: 1}.x }', false],
    ['where a = $1', false],
  ];
  for (const [text, expected] of cases) assert.equal(insideInterpolation(text), expected, text);
});
