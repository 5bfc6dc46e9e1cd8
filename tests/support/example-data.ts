/**
 * The examples read their datasets from examples/data/, which `npm ci` fills from vega-datasets
 * (scripts/example-data.mjs). A checkout that skipped the install scripts has none: the tests that
 * run the examples fill it first, the same way.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function ensureExampleData(): void {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'example-data.mjs')], { stdio: 'ignore' });
}
