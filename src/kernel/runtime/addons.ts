/**
 * Native addons: the kernel starts with `--allow-addons` only because DuckDB is one, and native
 * code ignores Node's file permissions. So:
 * - `process.dlopen` accepts only files under the package's own `node_modules/@duckdb/`, and only
 *   once: after the first load no addon loads at all (user code cannot load one of its own);
 * - the DuckDB binding's exports are replaced by a copy whose database-opening functions work only
 *   inside {@link withDuckDbOpen}: user code that requires `@duckdb/node-api` itself (the module
 *   cache hands it the same binding) cannot open a second database without the lockdown settings.
 */
import { realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The binding functions that create a database instance. */
const OPENERS = new Set(['open', 'get_or_create_from_cache']);

let loaded = false;
/**
 * The original exports stay referenced: the native module ties state to that object's lifetime
 * (letting it be collected crashed the kernel with SIGSEGV).
 */
const originals: object[] = [];
let openAllowed = false;

function deniedError(what: string, code: string): Error {
  const error = new Error(`${what} is disabled in the kernel`);
  (error as Error & { code: string }).code = code;
  return error;
}

function isUnder(filename: string, dir: string): boolean {
  try {
    return realpathSync(filename).startsWith(dir + sep);
  } catch {
    return false;
  }
}

function guardOpener(name: string, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args) => {
    if (!openAllowed) throw deniedError(`opening a DuckDB database directly (${name})`, 'ERR_ACCESS_DENIED');
    return fn(...args);
  };
}

/** A copy of the binding (its own properties are read-only, so they cannot be patched in place). */
function wrapBinding(binding: Record<string, unknown>): Record<string, unknown> {
  const copy = Object.create(Object.getPrototypeOf(binding) as object) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(binding)) {
    const value = binding[name];
    const guarded =
      OPENERS.has(name) && typeof value === 'function' ? guardOpener(name, value as () => unknown) : value;
    Object.defineProperty(copy, name, { value: guarded, enumerable: true });
  }
  return copy;
}

export function guardAddons(packageRoot: string): void {
  const original = process.dlopen.bind(process);
  const allowed = realpathSync(join(packageRoot, 'node_modules', '@duckdb'));
  // Rest arguments: passing an explicit `undefined` for the optional flags makes dlopen fail.
  const guarded = (
    module: { exports: Record<string, unknown> },
    filename: string,
    ...flags: number[]
  ): void => {
    if (loaded || !isUnder(filename, allowed)) {
      throw deniedError(`loading the native addon ${filename}`, 'ERR_DLOPEN_DISABLED');
    }
    original(module, filename, ...flags);
    loaded = true;
    originals.push(module.exports);
    module.exports = wrapBinding(module.exports);
  };
  Object.defineProperty(process, 'dlopen', {
    value: guarded,
    writable: false,
    configurable: false,
    enumerable: true,
  });
}

/**
 * Runs `open` with the DuckDB openers enabled. They are called synchronously at the start of
 * `openDuckDb` (DuckDBInstance.create calls the binding before its first await), so no user code
 * can run while they are enabled.
 */
export function withDuckDbOpen<T>(open: () => T): T {
  openAllowed = true;
  try {
    return open();
  } finally {
    openAllowed = false;
  }
}
