import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParamError } from '../../../src/format/errors.js';
import { coerceParam, resolveParams, validateParamValue } from '../../../src/format/params.js';
import type { ParamSpec, ParamType, ParamValue } from '../../../src/format/types.js';

const spec = (type: ParamType, extra: Partial<ParamSpec> = {}): ParamSpec => ({ name: 'p', type, ...extra });

function assertParamError(fn: () => unknown, message: string, param = 'p'): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ParamError, String(err));
    assert.equal(err.message, message);
    assert.equal(err.param, param);
    return true;
  });
}

const cliOk: Array<[ParamSpec, string, ParamValue]> = [
  [spec('string'), ' a b ', ' a b '],
  [spec('number'), '5', 5],
  [spec('number'), '-1.5e3', -1500],
  [spec('number'), ' .5 ', 0.5],
  [spec('integer'), '42', 42],
  [spec('integer'), '1e3', 1000],
  [spec('boolean'), 'true', true],
  [spec('boolean'), 'YES', true],
  [spec('boolean'), '1', true],
  [spec('boolean'), 'no', false],
  [spec('boolean'), 'False', false],
  [spec('boolean'), '0', false],
  [spec('date'), '2024-02-29', '2024-02-29'],
  [spec('datetime'), '2024-05-01T09:30:00Z', '2024-05-01T09:30:00.000Z'],
  [spec('datetime'), '2024-05-01T09:30:00+02:00', '2024-05-01T07:30:00.000Z'],
  [spec('datetime'), '2024-05-01 09:30', '2024-05-01T09:30:00.000Z'],
  [spec('datetime'), '2024-05-01', '2024-05-01T00:00:00.000Z'],
  [spec('datetime'), '2024-05-01T09:30:00.123456z', '2024-05-01T09:30:00.123Z'],
  [spec('string', { enum: ['EU', 'US'] }), 'US', 'US'],
  [spec('number', { min: 0, max: 10 }), '10', 10],
];

const cliBad: Array<[ParamSpec, string, string]> = [
  [spec('number'), 'abc', 'param "p": expected a number, got "abc"'],
  [spec('number'), '', 'param "p": expected a number, got ""'],
  [spec('number'), '0x10', 'param "p": expected a number, got "0x10"'],
  [spec('number'), 'Infinity', 'param "p": expected a number, got "Infinity"'],
  [spec('integer'), '1.5', 'param "p": expected an integer, got 1.5'],
  [spec('boolean'), 'maybe', 'param "p": expected a boolean (true/false, yes/no, 1/0), got "maybe"'],
  [spec('date'), '2023-02-29', 'param "p": expected a date (YYYY-MM-DD), got "2023-02-29"'],
  [spec('date'), '2024-1-1', 'param "p": expected a date (YYYY-MM-DD), got "2024-1-1"'],
  [
    spec('datetime'),
    'tomorrow',
    'param "p": expected an ISO-8601 datetime (e.g. 2024-05-01T09:30:00Z), got "tomorrow"',
  ],
  [
    spec('datetime'),
    '2024-05-01T25:00',
    'param "p": expected an ISO-8601 datetime (e.g. 2024-05-01T09:30:00Z), got "2024-05-01T25:00"',
  ],
  [
    spec('datetime'),
    '2024-02-30T10:00Z',
    'param "p": expected an ISO-8601 datetime (e.g. 2024-05-01T09:30:00Z), got "2024-02-30T10:00Z"',
  ],
  [spec('string', { enum: ['EU', 'US'] }), 'eu', 'param "p": expected one of "EU", "US", got "eu"'],
  [spec('number', { min: 0 }), '-1', 'param "p": expected a number >= 0, got "-1"'],
  [spec('integer', { max: 5 }), '6', 'param "p": expected an integer <= 5, got "6"'],
  [spec('number', { min: 0, max: 1 }), '2', 'param "p": expected a number between 0 and 1, got "2"'],
];

describe('coerceParam (CLI strings)', () => {
  for (const [s, raw, value] of cliOk) {
    it(`${s.type} ${JSON.stringify(raw)} -> ${JSON.stringify(value)}`, () =>
      assert.equal(coerceParam(s, raw), value));
  }
  for (const [s, raw, message] of cliBad) {
    it(`${s.type} rejects ${JSON.stringify(raw)}`, () =>
      assertParamError(() => coerceParam(s, raw), message));
  }
});

const jsonBad: Array<[ParamSpec, unknown, string]> = [
  [spec('number'), '5', 'param "p": expected a number, got "5"'],
  [spec('number'), Number.NaN, 'param "p": expected a number, got null'],
  [spec('integer'), 2.5, 'param "p": expected an integer, got 2.5'],
  [spec('boolean'), 'true', 'param "p": expected a boolean (true/false, yes/no, 1/0), got "true"'],
  [spec('string'), null, 'param "p": expected a string, got null'],
  [spec('string'), undefined, 'param "p": expected a string, got nothing'],
  [spec('date'), 20240101, 'param "p": expected a date (YYYY-MM-DD), got 20240101'],
];

describe('validateParamValue (JSON values)', () => {
  it('accepts values of the right type', () => {
    assert.equal(validateParamValue(spec('number'), 1.5), 1.5);
    assert.equal(validateParamValue(spec('integer', { enum: [1, 2] }), 2), 2);
    assert.equal(validateParamValue(spec('boolean'), false), false);
    assert.equal(validateParamValue(spec('date'), '2024-12-31'), '2024-12-31');
    assert.equal(
      validateParamValue(spec('datetime'), '2024-12-31T23:59:59-01:00'),
      '2025-01-01T00:59:59.000Z',
    );
  });
  for (const [s, value, message] of jsonBad) {
    it(`${s.type} rejects ${String(value)}`, () =>
      assertParamError(() => validateParamValue(s, value), message));
  }
  it('long values are shortened in messages', () => {
    assert.throws(() => validateParamValue(spec('number'), 'x'.repeat(100)), /got "x{56}\.\.\.$/);
  });
});

describe('resolveParams', () => {
  const specs: ParamSpec[] = [
    { name: 'region', type: 'string', default: 'EU', enum: ['EU', 'US'] },
    { name: 'min_total', type: 'number', default: 0 },
  ];

  it('fills defaults and coerces CLI strings', () => {
    assert.deepEqual(resolveParams(specs, { min_total: '5' }, { source: 'cli' }), {
      region: 'EU',
      min_total: 5,
    });
  });

  it('validates JSON values without coercion', () => {
    assert.deepEqual(resolveParams(specs, { region: 'US', min_total: 2 }, { source: 'json' }), {
      region: 'US',
      min_total: 2,
    });
    assertParamError(
      () => resolveParams(specs, { min_total: '5' }, { source: 'json' }),
      'param "min_total": expected a number, got "5"',
      'min_total',
    );
  });

  it('names the param and what was expected', () => {
    assertParamError(
      () => resolveParams(specs, { min_total: 'abc' }, { source: 'cli' }),
      'param "min_total": expected a number, got "abc"',
      'min_total',
    );
  });

  it('rejects unknown params, listing the known ones', () => {
    assertParamError(
      () => resolveParams(specs, { regoin: 'US' }, { source: 'cli' }),
      'unknown param "regoin" (known: region, min_total)',
      'regoin',
    );
    assertParamError(
      () => resolveParams([], { x: '1' }, { source: 'cli' }),
      'unknown param "x" (this notebook declares no params)',
      'x',
    );
  });

  it('a param without default needs a value', () => {
    assertParamError(
      () => resolveParams([{ name: 'n', type: 'integer' }], {}, { source: 'cli' }),
      'param "n": no value given and no default (expected an integer)',
      'n',
    );
  });

  it('does not treat inherited keys as given', () => {
    assert.deepEqual(
      resolveParams(specs, Object.create({ region: 'US' }) as Record<string, unknown>, { source: 'json' }),
      {
        region: 'EU',
        min_total: 0,
      },
    );
  });
});
