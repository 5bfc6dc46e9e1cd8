/**
 * The parameter grid of `quire sweep` (pure: no I/O). `-p name=v1,v2,…` flags become axes, the
 * axes their cartesian product, and every combination is resolved against the front matter's
 * params before anything runs, so a typo in the last value never costs the runs before it.
 */
import { ParamError } from '../format/errors.js';
import { coerceParam, resolveParams } from '../format/index.js';
import type { ParamSpec, ParamValue } from '../format/types.js';
import { InputError } from './errors.js';

/** A sweep past this many runs is almost surely a mistake (a list pasted twice): split it. */
export const MAX_COMBINATIONS = 10_000;

/** One `-p` flag: a param and the values the sweep gives it, as typed on the command line. */
export interface Axis {
  name: string;
  values: string[];
}

/**
 * `1,2,3` → `["1", "2", "3"]`. `\,` is a comma inside a value and `\\` a backslash (so a value
 * may end in one); any other backslash is kept as written, so `C:\data` needs no escaping.
 */
export function splitValues(text: string): string[] {
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const next = text[i + 1];
    if (char === '\\' && (next === ',' || next === '\\')) {
      current += next;
      i++;
    } else if (char === ',') {
      values.push(current);
      current = '';
    } else current += char;
  }
  values.push(current);
  return values;
}

/** `["a=1,2", "b=x"]` → axes in the order given; a param given twice, or a value twice, is an error. */
export function parseAxes(flags: readonly string[] | undefined): Axis[] {
  const axes: Axis[] = [];
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new InputError(`-p expects name=value[,value…], got "${flag}"`);
    const name = flag.slice(0, eq).trim();
    if (axes.some((a) => a.name === name)) throw new InputError(`param "${name}" is given twice`);
    const values = splitValues(flag.slice(eq + 1));
    const seen = new Set<string>();
    for (const value of values) {
      if (seen.has(value)) throw new InputError(`param "${name}": the value "${value}" is given twice`);
      seen.add(value);
    }
    axes.push({ name, values });
  }
  return axes;
}

/** How many runs the axes make (1 for no axes: one run with the defaults). */
export const gridSize = (axes: readonly Axis[]): number =>
  axes.reduce((product, axis) => product * axis.values.length, 1);

/** Every combination, the first axis varying slowest (as nested loops in the order of the flags). */
export function expandGrid(axes: readonly Axis[]): Record<string, string>[] {
  let combinations: Record<string, string>[] = [{}];
  for (const axis of axes) {
    combinations = combinations.flatMap((partial) =>
      axis.values.map((value) => ({ ...partial, [axis.name]: value })),
    );
  }
  return combinations;
}

function unknownParam(name: string, specs: readonly ParamSpec[]): ParamError {
  const known = specs.map((s) => s.name);
  const list = known.length > 0 ? `known: ${known.join(', ')}` : 'this notebook declares no params';
  return new ParamError(`unknown param ${JSON.stringify(name)} (${list})`, name);
}

/** Each axis value converted once: errors name the param and the value; equal values are refused. */
function checkAxes(specs: readonly ParamSpec[], axes: readonly Axis[]): void {
  for (const axis of axes) {
    const spec = specs.find((s) => s.name === axis.name);
    if (!spec) throw unknownParam(axis.name, specs);
    const typed = new Map<string, string>();
    for (const raw of axis.values) {
      const key = JSON.stringify(coerceParam(spec, raw));
      const earlier = typed.get(key);
      if (earlier !== undefined)
        throw new ParamError(`param "${axis.name}": "${earlier}" and "${raw}" are the same value`, axis.name);
      typed.set(key, raw);
    }
  }
}

/**
 * The params of every run of the sweep, in grid order. Throws InputError when the grid is too
 * large and ParamError (naming the param and the value) when any combination is not valid input.
 */
export function planSweep(specs: readonly ParamSpec[], axes: readonly Axis[]): Record<string, ParamValue>[] {
  const size = gridSize(axes);
  if (size > MAX_COMBINATIONS) {
    const shape = axes.map((a) => `${a.values.length} ${a.name}`).join(' × ');
    throw new InputError(
      `the grid has ${size} combinations (${shape}); a sweep runs at most ${MAX_COMBINATIONS}: split it into several sweeps`,
    );
  }
  checkAxes(specs, axes);
  // Values are fine one by one; resolving each combination also fills the defaults and catches a
  // param that has no default and was not given.
  return expandGrid(axes).map((given) => resolveParams([...specs], given, { source: 'cli' }));
}

/** `a=1 b=x`: the swept params of one run (values as resolved), for progress lines. */
export const describeCombination = (axes: readonly Axis[], params: Record<string, ParamValue>): string =>
  axes.map((a) => `${a.name}=${String(params[a.name])}`).join(' ');
