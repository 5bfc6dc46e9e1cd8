/**
 * Native addons: the kernel starts with `--allow-addons` only because DuckDB is one, and native
 * code ignores Node's file permissions. So `process.dlopen` accepts only files under the package's
 * own `node_modules/@duckdb/`, and nothing at all once DuckDB has loaded: user code cannot load an
 * addon of its own.
 */
import { realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

let locked = false;

function denied(filename: string): Error {
  const error = new Error(`Cannot load native addon ${filename}: loading addons is disabled in the kernel`);
  (error as Error & { code: string }).code = 'ERR_DLOPEN_DISABLED';
  return error;
}

function isUnder(filename: string, dir: string): boolean {
  try {
    return realpathSync(filename).startsWith(dir + sep);
  } catch {
    return false;
  }
}

export function guardAddons(packageRoot: string): void {
  const original = process.dlopen.bind(process);
  const allowed = realpathSync(join(packageRoot, 'node_modules', '@duckdb'));
  const guarded = (module: object, filename: string, flags?: number): void => {
    if (locked || !isUnder(filename, allowed)) throw denied(filename);
    original(module, filename, flags);
  };
  Object.defineProperty(process, 'dlopen', { value: guarded, writable: false, configurable: false, enumerable: true });
}

/** Called once DuckDB is loaded: from now on no addon loads at all. */
export function lockAddons(): void {
  locked = true;
}
