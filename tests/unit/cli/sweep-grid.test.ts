// The sweep grid (src/cli/sweep-grid.ts): `-p` value lists, the cartesian product, and the check
// of every combination against the front matter before anything runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_COMBINATIONS,
  describeCombination,
  expandGrid,
  gridSize,
  parseAxes,
  planSweep,
  splitValues,
} from '../../../src/cli/sweep-grid.js';
import { InputError } from '../../../src/cli/errors.js';
import { ParamError } from '../../../src/format/errors.js';
import type { ParamSpec } from '../../../src/format/types.js';

const SPECS: ParamSpec[] = [
  { name: 'a', type: 'integer', default: 1, min: 0 },
  { name: 'b', type: 'string', default: 'x' },
  { name: 'on', type: 'boolean', default: false },
  { name: 'day', type: 'date', default: '2024-01-01' },
];

describe('splitValues', () => {
  const cases: [string, string[]][] = [
    ['1,2,3', ['1', '2', '3']],
    ['one', ['one']],
    ['', ['']],
    ['a,,b', ['a', '', 'b']],
    ['1,2,', ['1', '2', '']],
    ['x\\,y,z', ['x,y', 'z']],
    ['ends\\\\,next', ['ends\\', 'next']],
    ['C:\\data,D:\\tmp', ['C:\\data', 'D:\\tmp']],
    [' spaced , kept ', [' spaced ', ' kept ']],
    ['a=b,c', ['a=b', 'c']],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(splitValues(text), expected);
    });
  }
});

describe('parseAxes', () => {
  it('keeps the order of the flags and splits each value list', () => {
    assert.deepEqual(parseAxes(['b=x,y', 'a=1,2,3']), [
      { name: 'b', values: ['x', 'y'] },
      { name: 'a', values: ['1', '2', '3'] },
    ]);
  });

  it('splits at the first = only, and trims the name', () => {
    assert.deepEqual(parseAxes([' q =k=v,w']), [{ name: 'q', values: ['k=v', 'w'] }]);
  });

  const bad: [string[], RegExp][] = [
    [['a'], /-p expects name=value\[,value…\], got "a"/],
    [['=1,2'], /-p expects name=value/],
    [['a=1', 'a=2'], /param "a" is given twice/],
    [['a=1,2,1'], /param "a": the value "1" is given twice/],
  ];
  for (const [flags, message] of bad) {
    it(`refuses ${JSON.stringify(flags)}`, () => {
      assert.throws(
        () => parseAxes(flags),
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('no flags, no axes', () => {
    assert.deepEqual(parseAxes(undefined), []);
  });
});

describe('expandGrid and gridSize', () => {
  it('is the cartesian product, the first axis varying slowest', () => {
    const axes = parseAxes(['a=1,2,3', 'b=x,y']);
    assert.equal(gridSize(axes), 6);
    assert.deepEqual(expandGrid(axes), [
      { a: '1', b: 'x' },
      { a: '1', b: 'y' },
      { a: '2', b: 'x' },
      { a: '2', b: 'y' },
      { a: '3', b: 'x' },
      { a: '3', b: 'y' },
    ]);
  });

  it('no axes is one empty combination', () => {
    assert.equal(gridSize([]), 1);
    assert.deepEqual(expandGrid([]), [{}]);
  });
});

describe('planSweep', () => {
  it('types every combination and fills the defaults of the params not swept', () => {
    const plan = planSweep(SPECS, parseAxes(['a=1,2', 'on=yes,no']));
    assert.deepEqual(plan, [
      { a: 1, b: 'x', on: true, day: '2024-01-01' },
      { a: 1, b: 'x', on: false, day: '2024-01-01' },
      { a: 2, b: 'x', on: true, day: '2024-01-01' },
      { a: 2, b: 'x', on: false, day: '2024-01-01' },
    ]);
  });

  it('a string value may hold a comma, escaped', () => {
    assert.deepEqual(
      planSweep(SPECS, parseAxes(['b=x\\,y,z'])).map((p) => p.b),
      ['x,y', 'z'],
    );
  });

  const invalid: [string[], string][] = [
    [['a=1,2,x'], 'param "a": expected an integer >= 0, got "x"'],
    [['a=1,-1'], 'param "a": expected an integer >= 0, got "-1"'],
    [['day=2024-02-30'], 'param "day": expected a date (YYYY-MM-DD), got "2024-02-30"'],
    [['c=1'], 'unknown param "c" (known: a, b, on, day)'],
    [['a=1,1.0'], 'param "a": "1" and "1.0" are the same value'],
    [['on=yes,true'], 'param "on": "yes" and "true" are the same value'],
  ];
  for (const [flags, message] of invalid) {
    it(`refuses ${JSON.stringify(flags)} naming the param and the value`, () => {
      assert.throws(
        () => planSweep(SPECS, parseAxes(flags)),
        (error: unknown) => {
          assert.ok(error instanceof ParamError, String(error));
          assert.equal(error.message, message);
          return true;
        },
      );
    });
  }

  it('a param with no default must be swept', () => {
    const specs: ParamSpec[] = [...SPECS, { name: 'k', type: 'number' }];
    assert.throws(() => planSweep(specs, parseAxes(['a=1'])), /param "k": no value given and no default/);
    assert.equal(planSweep(specs, parseAxes(['k=0.5,1'])).length, 2);
  });

  it('a grid past the cap is refused before any value is checked', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => String(i)).join(',');
    const axes = parseAxes([`a=${many(MAX_COMBINATIONS / 10)}`, `b=${many(11)}`]);
    assert.throws(
      () => planSweep(SPECS, axes),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.match(
          error.message,
          /the grid has 11000 combinations \(1000 a × 11 b\); a sweep runs at most 10000/,
        );
        return true;
      },
    );
    // Exactly at the cap is fine.
    const atCap = parseAxes([`a=${many(MAX_COMBINATIONS / 10)}`, `b=${many(10)}`]);
    assert.equal(planSweep(SPECS, atCap).length, MAX_COMBINATIONS);
  });
});

describe('describeCombination', () => {
  it('names the swept params only', () => {
    const axes = parseAxes(['a=2', 'on=1']);
    const [params] = planSweep(SPECS, axes);
    assert.equal(describeCombination(axes, params!), 'a=2 on=true');
  });
});
