/**
 * Where the kernel's code lives. The host runs from `dist/kernel/` (built) or `src/kernel/` (tsx in
 * tests); both are two levels below the package root, and the child always runs the compiled
 * runtime so that it needs no TypeScript loader.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The quire package root (holds package.json, dist/ and node_modules/). */
export function packageRoot(): string {
  return dirname(dirname(dirname(fileURLToPath(import.meta.url))));
}

/** The compiled runtime entry point that the child process runs. */
export function runtimeEntry(root: string = packageRoot()): string {
  return join(root, 'dist', 'kernel', 'runtime', 'main.js');
}

export function assertRuntimeBuilt(entry: string): void {
  if (!existsSync(entry)) {
    throw new Error(`the kernel runtime is not built (${entry} is missing): run \`npm run build\``);
  }
}
