/**
 * The names every cell can use without importing them (DESIGN §3): `display`, `html`, `md`,
 * `vegalite`, `sql`, `secrets` and `metric`. They are globals, so a cell that declares its own `html` simply shadows it.
 */
import type { Output } from '../../outputs/types.js';
import { emit } from './cell.js';
import { metric } from './metrics.js';
import { outputHelpers, toOutputsNow, type OutputHelpers } from './outputs.js';
import type { Scope } from './scope.js';
import { secrets } from './secrets.js';
import { makeSqlTag } from './sql-engine.js';

type Builtins = OutputHelpers['builtins'];

/** The builtins module; cells that name these helpers have it preloaded (outputs.ts needsOutputs). */
function builtins(name: string): Builtins {
  const loaded = outputHelpers()?.builtins;
  if (!loaded) throw new Error(`${name} is not available yet in this cell: refer to it by name`);
  return loaded;
}

/** `display(value)` adds the value's outputs to the running cell and returns the value. */
function display<T>(value: T): T {
  toOutputsNow(value).forEach((output: Output) => emit(output));
  return value;
}

function define(name: string, value: unknown): void {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

export function installGlobals(scope: Scope): void {
  define('display', display);
  define('html', (strings: TemplateStringsArray, ...values: unknown[]) =>
    builtins('html').html(strings, ...values),
  );
  define('md', (strings: TemplateStringsArray, ...values: unknown[]) =>
    builtins('md').md(strings, ...values),
  );
  define('vegalite', (spec: unknown) => builtins('vegalite').vegalite(spec));
  define('sql', makeSqlTag(scope));
  define('secrets', secrets);
  define('metric', metric);
}
