/**
 * Graph behaviour as a table of cases (marimo's GraphTestCase): cells in -> order, definitions,
 * edges, errors and stale sets out. Cells are written by hand as `cell(id, declares, references)`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph, dependentsOfNames, staleAfter, upstreamClosure } from '../../../src/graph/index.js';
import type { GraphNode } from '../../../src/graph/index.js';

const cell = (id: string, declarations: string[] = [], references: string[] = []): GraphNode => ({
  id,
  declarations,
  references,
});

interface GraphCase {
  name: string;
  cells: GraphNode[];
  builtins?: string[];
  order?: string[];
  /** name -> defining cell, for exactly the uniquely defined names */
  definitions?: Record<string, string>;
  /** cell -> its upstream cells (only the cells listed are checked) */
  upstream?: Record<string, string[]>;
  /** cell -> error messages; cells absent here must have no error */
  errors?: Record<string, string[]>;
  /** changed cells -> expected staleAfter */
  stale?: [string[], string[]][];
  upstreamClosure?: [string[], string[]][];
  dependentsOfNames?: [string[], string[]][];
}

const cases: GraphCase[] = [
  { name: 'empty notebook', cells: [], order: [], definitions: {}, errors: {} },
  { name: 'one cell', cells: [cell('a', ['x'])], order: ['a'], definitions: { x: 'a' }, errors: {} },
  {
    name: 'independent cells keep document order',
    cells: [cell('c', ['z']), cell('a', ['x']), cell('b', ['y'])],
    order: ['c', 'a', 'b'],
    stale: [[['a'], ['a']]],
  },
  {
    name: 'chain in document order',
    cells: [cell('a', ['x']), cell('b', ['y'], ['x']), cell('c', [], ['y'])],
    order: ['a', 'b', 'c'],
    upstream: { a: [], b: ['a'], c: ['b'] },
    stale: [
      [['a'], ['a', 'b', 'c']],
      [['b'], ['b', 'c']],
      [['c'], ['c']],
    ],
    upstreamClosure: [[['c'], ['a', 'b', 'c']]],
  },
  {
    name: 'chain against document order',
    cells: [cell('c', [], ['y']), cell('b', ['y'], ['x']), cell('a', ['x'])],
    order: ['a', 'b', 'c'],
    stale: [[['a'], ['a', 'b', 'c']]],
  },
  {
    name: 'diamond',
    cells: [cell('a', ['x']), cell('b', ['y'], ['x']), cell('c', ['z'], ['x']), cell('d', [], ['y', 'z'])],
    order: ['a', 'b', 'c', 'd'],
    upstream: { d: ['b', 'c'] },
    stale: [
      [['a'], ['a', 'b', 'c', 'd']],
      [['c'], ['c', 'd']],
    ],
    upstreamClosure: [[['d'], ['a', 'b', 'c', 'd']]],
  },
  {
    name: 'diamond shuffled in the document',
    cells: [cell('d', [], ['y', 'z']), cell('c', ['z'], ['x']), cell('a', ['x']), cell('b', ['y'], ['x'])],
    order: ['a', 'c', 'b', 'd'],
    stale: [[['a'], ['a', 'c', 'b', 'd']]],
  },
  {
    name: 'ties broken by document index, not by discovery',
    cells: [cell('a', ['x']), cell('b', ['y']), cell('c', [], ['y']), cell('d', [], ['x'])],
    order: ['a', 'b', 'c', 'd'],
  },
  {
    name: 'a reader before its writer waits only for it',
    cells: [cell('x', [], ['v']), cell('y'), cell('z', ['v'])],
    order: ['y', 'z', 'x'],
  },
  {
    name: 'names no cell defines (globals) make no edge',
    cells: [cell('a', ['x'], ['Math', 'console']), cell('b', [], ['x', 'JSON'])],
    upstream: { a: [], b: ['a'] },
    definitions: { x: 'a' },
    errors: {},
  },
  {
    name: 'self-reference makes no edge and no error',
    cells: [cell('a', ['x'], ['x'])],
    order: ['a'],
    upstream: { a: [] },
    errors: {},
    stale: [[['a'], ['a']]],
  },
  {
    name: 'self-reference with another reader',
    cells: [cell('a', ['x'], ['x']), cell('b', [], ['x'])],
    upstream: { a: [], b: ['a'] },
    errors: {},
  },
  {
    name: 'several shared names make one edge',
    cells: [cell('a', ['x', 'y', 'z']), cell('b', [], ['x', 'y', 'z'])],
    upstream: { b: ['a'] },
  },
  {
    name: 'a name declared twice in one cell counts once',
    cells: [cell('a', ['x', 'x']), cell('b', [], ['x'])],
    definitions: { x: 'a' },
    errors: {},
  },
  {
    name: 'duplicate definition is an error on both cells',
    cells: [cell('a', ['x']), cell('b', ['x']), cell('c', [], ['x']), cell('d', ['w'])],
    definitions: { w: 'd' },
    errors: { a: ["'x' is also defined by b"], b: ["'x' is also defined by a"] },
    // The reader depends on both: it is skipped when they fail.
    upstream: { c: ['a', 'b'] },
    order: ['a', 'b', 'c', 'd'],
    stale: [[['b'], ['b', 'c']]],
  },
  {
    name: 'duplicate across three cells names the other two',
    cells: [cell('a', ['x']), cell('b', ['x', 'y']), cell('c', ['x'])],
    definitions: { y: 'b' },
    errors: {
      a: ["'x' is also defined by b, c"],
      b: ["'x' is also defined by a, c"],
      c: ["'x' is also defined by a, b"],
    },
  },
  {
    name: 'cycle of two',
    cells: [cell('a', ['x'], ['y']), cell('b', ['y'], ['x'])],
    order: ['a', 'b'],
    errors: { a: ['cycle: a -> b -> a'], b: ['cycle: b -> a -> b'] },
  },
  {
    name: 'cycle of three plus an unrelated cell',
    cells: [cell('a', ['x'], ['z']), cell('u', ['q']), cell('b', ['y'], ['x']), cell('c', ['z'], ['y'])],
    // The cycle is placed as a unit at its first member.
    order: ['a', 'b', 'c', 'u'],
    definitions: { x: 'a', y: 'b', z: 'c', q: 'u' },
    errors: {
      a: ['cycle: a -> b -> c -> a'],
      b: ['cycle: b -> c -> a -> b'],
      c: ['cycle: c -> a -> b -> c'],
    },
    stale: [[['u'], ['u']]],
  },
  {
    name: 'a cycle with an input and a reader: order around it still holds',
    cells: [cell('r', [], ['x']), cell('a', ['x'], ['y', 'i']), cell('b', ['y'], ['x']), cell('i', ['i'])],
    order: ['i', 'a', 'b', 'r'],
    errors: { a: ['cycle: a -> b -> a'], b: ['cycle: b -> a -> b'] },
    stale: [[['i'], ['i', 'a', 'b', 'r']]],
  },
  {
    name: 'each cell of a cycle with a chord gets its shortest cycle',
    cells: [cell('a', ['x'], ['z', 'y']), cell('b', ['y'], ['x']), cell('c', ['z'], ['y'])],
    errors: {
      a: ['cycle: a -> b -> a'],
      b: ['cycle: b -> a -> b'],
      c: ['cycle: c -> a -> b -> c'],
    },
  },
  {
    name: 'two separate cycles',
    cells: [
      cell('a', ['x'], ['y']),
      cell('b', ['y'], ['x']),
      cell('c', ['p'], ['q']),
      cell('d', ['q'], ['p']),
    ],
    errors: {
      a: ['cycle: a -> b -> a'],
      b: ['cycle: b -> a -> b'],
      c: ['cycle: c -> d -> c'],
      d: ['cycle: d -> c -> d'],
    },
  },
  {
    name: 'params are builtins: reading one makes no edge',
    cells: [cell('a', ['x'], ['region']), cell('b', [], ['x', 'min_total'])],
    builtins: ['region', 'min_total'],
    upstream: { a: [], b: ['a'] },
    errors: {},
    dependentsOfNames: [
      [['region'], ['a', 'b']],
      [['min_total'], ['b']],
      [['nope'], []],
    ],
  },
  {
    name: 'defining a param is a duplicate error',
    cells: [cell('a', ['region']), cell('b', [], ['region'])],
    builtins: ['region'],
    definitions: {},
    upstream: { b: [] },
    errors: { a: ["'region' is a param or builtin and cannot be redefined"] },
  },
  {
    name: 'two cells defining a param',
    cells: [cell('a', ['region']), cell('b', ['region'])],
    builtins: ['region'],
    errors: {
      a: ["'region' is a param or builtin and cannot be redefined; 'region' is also defined by b"],
      b: ["'region' is a param or builtin and cannot be redefined; 'region' is also defined by a"],
    },
  },
  {
    name: 'a duplicate and a cycle on one cell: both errors',
    cells: [cell('a', ['x', 'w'], ['y']), cell('b', ['y'], ['x']), cell('c', ['w'])],
    errors: {
      a: ["'w' is also defined by c", 'cycle: a -> b -> a'],
      b: ['cycle: b -> a -> b'],
      c: ["'w' is also defined by a"],
    },
  },
  {
    name: 'deletion: without the writer, the reader has no input',
    cells: [cell('b', [], ['x']), cell('c', ['z'])],
    upstream: { b: [], c: [] },
    order: ['b', 'c'],
    errors: {},
  },
  {
    name: 'deleting one of two duplicates clears the error',
    cells: [cell('a', ['x']), cell('c', [], ['x'])],
    definitions: { x: 'a' },
    errors: {},
    upstream: { c: ['a'] },
  },
  {
    name: 'stale after several changes is one topological list',
    cells: [cell('a', ['x']), cell('b', ['y']), cell('c', ['z'], ['y']), cell('d', [], ['x', 'z'])],
    stale: [
      [
        ['c', 'a'],
        ['a', 'c', 'd'],
      ],
      [
        ['b', 'unknown'],
        ['b', 'c', 'd'],
      ],
      [[], []],
    ],
    upstreamClosure: [
      [['c'], ['b', 'c']],
      [['d'], ['a', 'b', 'c', 'd']],
    ],
  },
  {
    name: 'stale set of a cycle member reaches the whole cycle',
    cells: [cell('a', ['x'], ['y']), cell('b', ['y'], ['x']), cell('c', [], ['y'])],
    stale: [[['a'], ['a', 'b', 'c']]],
  },
];

describe('buildGraph (table)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const graph = buildGraph(c.cells, { builtins: c.builtins ?? [] });
      assert.equal(graph.order.length, c.cells.length, 'every cell is ordered');
      if (c.order) assert.deepEqual(graph.order, c.order);
      if (c.definitions) assert.deepEqual(Object.fromEntries(graph.definitions), c.definitions);
      for (const [id, up] of Object.entries(c.upstream ?? {}))
        assert.deepEqual(graph.upstream.get(id), up, id);
      if (c.errors) {
        const messages = Object.fromEntries(
          [...graph.errors].map(([id, errs]) => [id, errs.map((e) => e.message)]),
        );
        assert.deepEqual(messages, c.errors);
      }
      for (const [changed, expected] of c.stale ?? []) assert.deepEqual(staleAfter(graph, changed), expected);
      for (const [ids, expected] of c.upstreamClosure ?? [])
        assert.deepEqual(upstreamClosure(graph, ids), expected);
      for (const [names, expected] of c.dependentsOfNames ?? []) {
        assert.deepEqual(dependentsOfNames(graph, names), expected);
      }
    });
  }
});

describe('buildGraph (properties)', () => {
  it('a 300-cell chain written backwards is ordered forwards without deep recursion', () => {
    const n = 300;
    const cells = Array.from({ length: n }, (_, i) => {
      const k = n - 1 - i;
      return cell(`c${k}`, [`v${k}`], k > 0 ? [`v${k - 1}`] : []);
    });
    const graph = buildGraph(cells);
    assert.deepEqual(
      graph.order,
      Array.from({ length: n }, (_, k) => `c${k}`),
    );
    assert.equal(staleAfter(graph, ['c150']).length, 150);
  });

  it('a 20000-cell chain is searched for cycles without overflowing the stack', () => {
    const n = 20000;
    const cells = Array.from({ length: n }, (_, k) => cell(`c${k}`, [`v${k}`], k > 0 ? [`v${k - 1}`] : []));
    const graph = buildGraph(cells);
    assert.equal(graph.errors.size, 0);
    assert.equal(graph.order[n - 1], `c${n - 1}`);
  });

  it('a 1000-cell cycle is an error on every cell', () => {
    const n = 1000;
    const cells = Array.from({ length: n }, (_, k) => cell(`c${k}`, [`v${k}`], [`v${(k + n - 1) % n}`]));
    const graph = buildGraph(cells);
    assert.equal(graph.errors.size, n);
    assert.equal(graph.order.length, n);
  });

  it('a 20000-cell chain written backwards is ordered forwards, and its stale set is the whole chain', () => {
    const n = 20000;
    const cells = Array.from({ length: n }, (_, i) => {
      const k = n - 1 - i;
      return cell(`c${k}`, [`v${k}`], k > 0 ? [`v${k - 1}`] : []);
    });
    const graph = buildGraph(cells);
    assert.deepEqual(
      graph.order,
      Array.from({ length: n }, (_, k) => `c${k}`),
    );
    assert.equal(staleAfter(graph, ['c0']).length, n);
    assert.deepEqual(upstreamClosure(graph, [`c${n - 1}`]), graph.order);
  });

  it('a 2000-cell cycle: each error names a few cells of its cycle and says how long it is', () => {
    const n = 2000;
    const cells = Array.from({ length: n }, (_, k) => cell(`c${k}`, [`v${k}`], [`v${(k + n - 1) % n}`]));
    const graph = buildGraph(cells);
    assert.equal(graph.errors.size, n);
    const error = graph.errors.get('c5')![0]!;
    assert.ok(error.kind === 'cycle');
    assert.equal(error.length, n);
    assert.deepEqual(error.path, [...Array.from({ length: 10 }, (_, i) => `c${5 + i}`), 'c5']);
    assert.equal(error.message, `cycle: ${error.path.slice(0, -1).join(' -> ')} -> … -> c5 (${n} cells)`);
    for (const [id, [e]] of graph.errors) {
      assert.ok(
        e!.kind === 'cycle' && e!.path[0] === id && e!.path.at(-1) === id && e!.path.length <= 11,
        id,
      );
    }
  });

  it('a large cycle with chords: cells on a short cycle still get it', () => {
    // 200 cells in a ring, and each even cell also reads the next one: 2-cycles everywhere.
    const n = 200;
    const cells = Array.from({ length: n }, (_, k) =>
      cell(`c${k}`, [`v${k}`], [`v${(k + n - 1) % n}`, ...(k % 2 === 0 ? [`v${k + 1}`] : [])]),
    );
    const graph = buildGraph(cells);
    assert.deepEqual(
      graph.errors.get('c10')!.map((e) => e.message),
      ['cycle: c10 -> c11 -> c10'],
    );
    assert.deepEqual(
      graph.errors.get('c11')!.map((e) => e.message),
      ['cycle: c11 -> c10 -> c11'],
    );
  });

  it('2000 cells defining one name: each error names ten others and counts the rest', () => {
    const n = 2000;
    const graph = buildGraph(Array.from({ length: n }, (_, k) => cell(`c${k}`, ['x'])));
    assert.equal(graph.errors.size, n);
    const error = graph.errors.get('c3')![0]!;
    assert.ok(error.kind === 'duplicate');
    assert.deepEqual(error.others, ['c0', 'c1', 'c2', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10']);
    assert.equal(error.otherCount, n - 1);
    assert.equal(
      error.message,
      `'x' is also defined by c0, c1, c2, c4, c5, c6, c7, c8, c9, c10 and ${n - 11} more cells`,
    );
  });

  it('errors carry structured fields as well as messages', () => {
    const graph = buildGraph([cell('a', ['x'], ['y']), cell('b', ['y', 'x'], ['x'])], { builtins: ['p'] });
    const kinds = graph.errors.get('a')!.map((e) => e.kind);
    assert.deepEqual(kinds, ['duplicate', 'cycle']);
    const dup = graph.errors.get('a')![0]!;
    assert.ok(dup.kind === 'duplicate' && dup.name === 'x' && dup.others[0] === 'b' && !dup.builtin);
    const cycle = graph.errors.get('b')!.find((e) => e.kind === 'cycle');
    assert.ok(cycle?.kind === 'cycle');
    assert.deepEqual(cycle.path, ['b', 'a', 'b']);
  });

  it('the same input gives the same order every time', () => {
    const cells = [cell('d', [], ['a1', 'b1']), cell('b', ['b1']), cell('a', ['a1']), cell('e', [], ['a1'])];
    const first = buildGraph(cells).order;
    for (let i = 0; i < 5; i++) assert.deepEqual(buildGraph([...cells]).order, first);
    assert.deepEqual(first, ['b', 'a', 'd', 'e']);
  });
});
