/**
 * Where the kernel's code lives. The host runs from `dist/kernel/` (built), `dist/bundle/` (the
 * bundled CLI) or `src/kernel/` (tsx in tests); the package root is found by walking up to quire's
 * package.json. The child always runs the compiled runtime so that it needs no TypeScript loader.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The quire package root (holds package.json, dist/ and node_modules/). */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'quire'
    )
      return (root = dir);
    if (dirname(dir) === dir)
      throw new Error('the quire package root was not found above ' + import.meta.url);
  }
}

/** The bundled runtime that the child process runs (scripts/bundle.mjs). */
export function runtimeEntry(root: string = packageRoot()): string {
  return join(root, 'dist', 'kernel', 'runtime.mjs');
}

/**
 * The packages the runtime loads from node_modules: DuckDB (a native addon and its JS API) and,
 * when the kernel has egress, undici (fetch through the host's proxy).
 */
export function runtimePackages(egress: boolean, root: string = packageRoot()): string[] {
  const packages = [join(root, 'node_modules', '@duckdb')];
  if (egress) packages.push(join(root, 'node_modules', 'undici'));
  return packages;
}

export function assertRuntimeBuilt(entry: string): void {
  if (!existsSync(entry)) {
    throw new Error(`the kernel runtime is not built (${entry} is missing): run \`npm run build\``);
  }
}
