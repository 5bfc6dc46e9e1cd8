/** Declarations and references of JS/TS cells, as a table of cases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeCell } from '../../../src/analysis/index.js';
import { codeCell } from './helpers.js';

interface Case {
  name: string;
  source: string;
  language?: 'js' | 'ts';
  declarations: string[];
  references: string[];
}

const cases: Case[] = [
  // tables read through the sql tagged template are inputs
  {
    name: 'sql template reads a table',
    source:
      'const t = await sql`select count(*) from orders o join regions r on o.r = r.id where o.x > ${min}`;',
    declarations: ['t'],
    references: ['sql', 'min', 'orders', 'regions'],
  },
  {
    name: 'another tag is not SQL',
    source: 'const t = html`<p>from orders</p>`;',
    declarations: ['t'],
    references: ['html'],
  },
  // declarations
  {
    name: 'const/let/var',
    source: 'const a = 1; let b; var c = 2;',
    declarations: ['a', 'b', 'c'],
    references: [],
  },
  { name: 'several declarators', source: 'let a = 1, b = a;', declarations: ['a', 'b'], references: [] },
  { name: 'object pattern', source: 'const {a, b: c} = o;', declarations: ['a', 'c'], references: ['o'] },
  {
    name: 'nested object and array patterns',
    source: 'const {a: [b, {c}], d: {e}} = o;',
    declarations: ['b', 'c', 'e'],
    references: ['o'],
  },
  {
    name: 'array holes and rest',
    source: 'const [, a, ...rest] = xs;',
    declarations: ['a', 'rest'],
    references: ['xs'],
  },
  {
    name: 'object rest',
    source: 'const {a, ...others} = o;',
    declarations: ['a', 'others'],
    references: ['o'],
  },
  {
    name: 'pattern defaults read names',
    source: 'const {a = d, b: [c = e] = f} = o;',
    declarations: ['a', 'c'],
    references: ['d', 'e', 'f', 'o'],
  },
  {
    name: 'computed key in pattern',
    source: 'const {[k]: v} = o;',
    declarations: ['v'],
    references: ['k', 'o'],
  },
  {
    name: 'function declaration',
    source: 'function f(a) { return a + b; }',
    declarations: ['f'],
    references: ['b'],
  },
  {
    name: 'async generator declaration',
    source: 'async function* g() { yield await x; }',
    declarations: ['g'],
    references: ['x'],
  },
  {
    name: 'class declaration',
    source: 'class A extends B { m() { return A; } }',
    declarations: ['A'],
    references: ['B'],
  },
  { name: 'default import', source: "import d3 from 'd3';", declarations: ['d3'], references: [] },
  {
    name: 'named imports with alias',
    source: "import {a, b as c} from 'm';",
    declarations: ['a', 'c'],
    references: [],
  },
  { name: 'namespace import', source: "import * as ns from 'm';", declarations: ['ns'], references: [] },
  {
    name: 'default and namespace import',
    source: "import d, * as ns from 'm';",
    declarations: ['d', 'ns'],
    references: [],
  },
  { name: 'side-effect import declares nothing', source: "import 'm';", declarations: [], references: [] },
  {
    name: 'export before declaration',
    source: 'export const a = 1; export function f() {}',
    declarations: ['a', 'f'],
    references: [],
  },
  {
    name: 'nested declarations are not outputs',
    source: 'if (x) { const a = 1; function g() {} }',
    declarations: [],
    references: ['x'],
  },
  // references
  {
    name: 'own top-level names are not references',
    source: 'const a = 1; a + b;',
    declarations: ['a'],
    references: ['b'],
  },
  {
    name: 'read before own declaration is still own',
    source: 'f(); function f() {}',
    declarations: ['f'],
    references: [],
  },
  { name: 'member property is not a reference', source: 'a.b.c;', declarations: [], references: ['a'] },
  { name: 'computed member is a reference', source: 'a[b];', declarations: [], references: ['a', 'b'] },
  {
    name: 'object keys are not references',
    source: '({k: v, [c]: 1, m() {}});',
    declarations: [],
    references: ['v', 'c'],
  },
  { name: 'shorthand property is a reference', source: '({a});', declarations: [], references: ['a'] },
  { name: 'typeof', source: 'typeof x === "undefined";', declarations: [], references: ['x'] },
  {
    name: 'labels are not references',
    source: 'outer: for (const i of xs) { continue outer; }',
    declarations: [],
    references: ['xs'],
  },
  {
    name: 'assignment target',
    source: 'x = 1; [y, z.w] = pair;',
    declarations: [],
    references: ['x', 'y', 'z', 'pair'],
  },
  {
    name: 'compound assignment and update',
    source: 'n += 1; m++;',
    declarations: [],
    references: ['n', 'm'],
  },
  {
    name: 'for-in head assigns a free name',
    source: 'for (k in o) {}',
    declarations: [],
    references: ['k', 'o'],
  },
  {
    name: 'params shadow',
    source: 'const f = (a, {b}, [c], ...d) => a + b + c + d + e;',
    declarations: ['f'],
    references: ['e'],
  },
  { name: 'param defaults', source: 'function f(a = b, c = a) {}', declarations: ['f'], references: ['b'] },
  {
    name: 'nested function scopes',
    source: 'function f() { const a = 1; return () => a + b; } a;',
    declarations: ['f'],
    references: ['b', 'a'],
  },
  {
    name: 'var hoists to the function',
    source: 'function f() { if (1) { var v = 1; } return v; }',
    declarations: ['f'],
    references: [],
  },
  { name: 'let in a block does not leak', source: '{ let a = 1; } a;', declarations: [], references: ['a'] },
  {
    name: 'class in a block does not leak',
    source: '{ class C {} } C;',
    declarations: [],
    references: ['C'],
  },
  {
    name: 'for-loop head let',
    source: 'for (let i = 0; i < n; i++) {} i;',
    declarations: [],
    references: ['n', 'i'],
  },
  {
    name: 'for-of head const',
    source: 'for (const [k, v] of entries) use(k, v);',
    declarations: [],
    references: ['entries', 'use'],
  },
  {
    name: 'catch param',
    source: 'try { f(); } catch ({message}) { log(message); } message;',
    declarations: [],
    references: ['f', 'log', 'message'],
  },
  {
    name: 'shadowing a global',
    source: 'function f(d3) { return d3; } d3;',
    declarations: ['f'],
    references: ['d3'],
  },
  {
    name: 'function expression name is local',
    source: 'const g = function h() { return h; }; h;',
    declarations: ['g'],
    references: ['h'],
  },
  {
    name: 'class expression name is local',
    source: 'const K = class L { m() { return L; } };',
    declarations: ['K'],
    references: [],
  },
  {
    name: 'class fields and static blocks',
    source: 'class A { x = y; static { let z = w; } #p = 1; }',
    declarations: ['A'],
    references: ['y', 'w'],
  },
  {
    name: 'arguments is never a reference',
    source: 'function f() { return arguments; } arguments;',
    declarations: ['f'],
    references: [],
  },
  {
    name: 'globals are kept',
    source: 'Math.max(1); console.log(JSON);',
    declarations: [],
    references: ['Math', 'console', 'JSON'],
  },
  {
    name: 'top-level await',
    source: 'const r = await fetch(url);',
    declarations: ['r'],
    references: ['fetch', 'url'],
  },
  { name: 'template literal', source: '`${a} and ${b.c}`;', declarations: [], references: ['a', 'b'] },
  {
    name: 'switch-scoped let',
    source: 'switch (x) { case 1: let y = 2; } y;',
    declarations: [],
    references: ['x', 'y'],
  },
  { name: 'import.meta is not a reference', source: 'import.meta.url;', declarations: [], references: [] },
  // TypeScript
  {
    name: 'TS type annotations',
    language: 'ts',
    source: 'const a: Foo<Bar> = b as Baz;',
    declarations: ['a'],
    references: ['b'],
  },
  {
    name: 'TS interface and type alias',
    language: 'ts',
    source: 'interface I { x: T }\ntype U = I[];\nconst u: U = [];',
    declarations: ['u'],
    references: [],
  },
  {
    name: 'TS enum declares',
    language: 'ts',
    source: 'enum Color { Red, Green }',
    declarations: ['Color'],
    references: [],
  },
  {
    name: 'TS generics',
    language: 'ts',
    source: 'function id<T>(x: T): T { return x; }\nconst n = id<number>(k);',
    declarations: ['id', 'n'],
    references: ['k'],
  },
  {
    name: 'TS satisfies and non-null',
    language: 'ts',
    source: 'const c = {a: 1} satisfies Cfg;\nc.a!;\nd!.e;',
    declarations: ['c'],
    references: ['d'],
  },
  {
    name: 'TS type-only imports declare nothing',
    language: 'ts',
    source: "import type {T} from 'm';\nimport {type U, v} from 'n';",
    declarations: ['v'],
    references: [],
  },
  {
    name: 'TS unused import is still declared',
    language: 'ts',
    source: "import * as d3 from 'd3';",
    declarations: ['d3'],
    references: [],
  },
  {
    name: 'TS class with parameter properties',
    language: 'ts',
    source: 'class P { constructor(private x: number) {} get() { return this.x + y; } }',
    declarations: ['P'],
    references: ['y'],
  },
  {
    name: 'TS declare const is types only',
    language: 'ts',
    source: 'declare const g: number;\ng + 1;',
    declarations: [],
    references: ['g'],
  },
  {
    name: 'TS export before declaration',
    language: 'ts',
    source: 'export const a: number = 1;',
    declarations: ['a'],
    references: [],
  },
];

for (const c of cases) {
  test(`${c.language ?? 'js'}: ${c.name}`, () => {
    const analysis = analyzeCell(codeCell(c.language ?? 'js', c.source));
    assert.equal(analysis.error, undefined);
    assert.deepEqual(analysis.declarations.toSorted(), c.declarations.toSorted());
    assert.deepEqual(analysis.references.toSorted(), c.references.toSorted());
  });
}
