/**
 * Param values given by users: CLI strings (`-p n=5`), JSON values (HTTP API, schedules) and the
 * defaults of the front matter. Every failure is a ParamError naming the param and what was expected.
 */
import { ParamError } from './errors.js';
import type { ParamSpec, ParamType, ParamValue } from './types.js';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/i;
const TRUE = ['true', '1', 'yes'];
const FALSE = ['false', '0', 'no'];

const EXPECTED: Record<ParamType, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true/false, yes/no, 1/0)',
  date: 'a date (YYYY-MM-DD)',
  datetime: 'an ISO-8601 datetime (e.g. 2024-05-01T09:30:00Z)',
};

/** Coerces a CLI string to the param's type, then checks enum and bounds. */
export function coerceParam(spec: ParamSpec, raw: string): ParamValue {
  return checkConstraints(spec, coerceType(spec, raw), raw);
}

/** Validates a JSON value (no string-to-number coercion), then checks enum and bounds. */
export function validateParamValue(spec: ParamSpec, value: unknown): ParamValue {
  return checkConstraints(spec, validateType(spec, value), value);
}

/**
 * Resolves the values of one run: given values are coerced (`cli`) or validated (`json`), missing
 * ones take their default. Unknown names and missing values without a default are errors.
 */
export function resolveParams(
  specs: ParamSpec[],
  given: Record<string, unknown>,
  options: { source: 'cli' | 'json' },
): Record<string, ParamValue> {
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) throw new ParamError(unknownMessage(name, specs), name);
  }
  const values: Record<string, ParamValue> = {};
  for (const spec of specs) {
    if (Object.hasOwn(given, spec.name)) {
      const value = given[spec.name];
      values[spec.name] =
        options.source === 'cli' && typeof value === 'string'
          ? coerceParam(spec, value)
          : validateParamValue(spec, value);
    } else if (spec.default !== undefined) {
      values[spec.name] = spec.default;
    } else {
      throw new ParamError(
        `param "${spec.name}": no value given and no default (expected ${expected(spec)})`,
        spec.name,
      );
    }
  }
  return values;
}

function unknownMessage(name: string, specs: ParamSpec[]): string {
  const known = specs.map((s) => s.name);
  const list = known.length > 0 ? `known: ${known.join(', ')}` : 'this notebook declares no params';
  return `unknown param ${JSON.stringify(name)} (${list})`;
}

function coerceType(spec: ParamSpec, raw: string): ParamValue {
  const text = raw.trim();
  switch (spec.type) {
    case 'string':
      return raw;
    case 'number':
    case 'integer':
      return NUMBER.test(text) ? validateType(spec, Number(text)) : fail(spec, raw);
    case 'boolean':
      if (TRUE.includes(text.toLowerCase())) return true;
      if (FALSE.includes(text.toLowerCase())) return false;
      return fail(spec, raw);
    default:
      return validateType(spec, text);
  }
}

function validateType(spec: ParamSpec, value: unknown): ParamValue {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' ? value : fail(spec, value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : fail(spec, value);
    case 'integer':
      return Number.isSafeInteger(value) ? (value as number) : fail(spec, value);
    case 'boolean':
      return typeof value === 'boolean' ? value : fail(spec, value);
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? value : fail(spec, value);
    case 'datetime':
      return (typeof value === 'string' && normalizeDatetime(value)) || fail(spec, value);
  }
}

function checkConstraints(spec: ParamSpec, value: ParamValue, given: unknown): ParamValue {
  if (spec.enum && !spec.enum.includes(value)) fail(spec, given);
  if (typeof value === 'number') {
    if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
      fail(spec, given);
    }
  }
  return value;
}

/** A real calendar date in YYYY-MM-DD (rejects 2024-02-30, which Date would roll over). */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** ISO-8601 to `toISOString()`; a datetime without an offset is read as UTC, not local time. */
function normalizeDatetime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (!m || !isCalendarDate(m[1] ?? '')) return undefined;
  const time = m[2] === undefined ? 'T00:00:00' : '';
  const zone = m[5] === undefined ? 'Z' : '';
  const ms = Date.parse(`${text.replace(' ', 'T')}${time}${zone}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function expected(spec: ParamSpec): string {
  if (spec.enum) return `one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const base = EXPECTED[spec.type];
  if (spec.min !== undefined && spec.max !== undefined) return `${base} between ${spec.min} and ${spec.max}`;
  if (spec.min !== undefined) return `${base} >= ${spec.min}`;
  if (spec.max !== undefined) return `${base} <= ${spec.max}`;
  return base;
}

function fail(spec: ParamSpec, got: unknown): never {
  throw new ParamError(`param "${spec.name}": expected ${expected(spec)}, got ${describe(got)}`, spec.name);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
