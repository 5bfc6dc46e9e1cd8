/**
 * What a run record says about the runtime (DESIGN §4): versions of node, quire and DuckDB, and
 * the sha256 of the workspace lockfile, so that `quire rerun` can tell a drift in dependencies.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot as findPackageRoot } from '../kernel/paths.js';

/** the root of the quire package (the folder of its package.json), from dist/, the bundle or src/ */
const packageRoot = findPackageRoot();

const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

export function quireVersion(): string {
  return String(readJson(join(packageRoot, 'package.json')).version);
}

/** The DuckDB library version, read from its package without loading the native addon. */
export function duckdbVersion(): string | null {
  const path = join(packageRoot, 'node_modules', '@duckdb', 'node-api', 'package.json');
  return existsSync(path) ? String(readJson(path).version) : null;
}

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock'];

/** The nearest lockfile at or above `dir`, with its sha256; null when there is none. */
export function findLockfile(dir: string): { path: string; sha256: string } | null {
  let current = resolve(dir);
  for (;;) {
    for (const name of LOCKFILES) {
      const path = join(current, name);
      if (existsSync(path)) return { path, sha256: sha256(readFileSync(path)) };
    }
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export interface RuntimeInfo {
  node: string;
  quire: string;
  /** the @duckdb/node-api version (the engine version is in `engines.duckdb` once SQL ran) */
  duckdb: string | null;
  platform: string;
  lockfile: { path: string; sha256: string } | null;
}

export function runtimeInfo(workspace: string): RuntimeInfo {
  return {
    node: process.version,
    quire: quireVersion(),
    duckdb: duckdbVersion(),
    platform: `${process.platform}-${process.arch}`,
    lockfile: findLockfile(workspace),
  };
}
