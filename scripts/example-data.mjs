#!/usr/bin/env node
// Puts the datasets the examples read into examples/data/, from the vega-datasets devDependency:
// `npm ci` runs it (prepare), and so do the tests that run the examples. The files are hard links
// (a copy across file systems), not symlinks: examples/ is the examples' workspace, and a kernel
// never reads through a symlink that leaves its workspace. examples/data/ is git-ignored (the
// flights file alone is 13.5 MB). Usage: node scripts/example-data.mjs (idempotent; quiet when
// nothing changes; never fails an install: without vega-datasets it says so and exits 0).
import { copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'node_modules', 'vega-datasets', 'data');
const target = join(root, 'examples', 'data');

/** The files the examples read, by name in vega-datasets/data. */
export const EXAMPLE_DATASETS = ['cars.json', 'seattle-weather.csv', 'flights-3m.parquet'];

const same = (a, b) => {
  const [x, y] = [statSync(a), statSync(b)];
  return (x.ino === y.ino && x.dev === y.dev) || (x.size === y.size && x.mtimeMs <= y.mtimeMs);
};

export function linkExampleData({ quiet = false } = {}) {
  if (!existsSync(source)) {
    process.stderr.write(
      `example data: ${relative(root, source)} is missing (npm ci installs it); the examples need it\n`,
    );
    return false;
  }
  mkdirSync(target, { recursive: true, mode: 0o755 });
  for (const name of EXAMPLE_DATASETS) {
    const from = join(source, name);
    const to = join(target, name);
    if (existsSync(to) && same(from, to)) continue;
    // linked or copied under a temporary name, then renamed: a reader never sees half a file
    const temporary = `${to}.tmp-${process.pid}`;
    rmSync(temporary, { force: true });
    try {
      linkSync(from, temporary);
    } catch {
      copyFileSync(from, temporary);
    }
    renameSync(temporary, to);
    if (!quiet) process.stdout.write(`example data: ${relative(root, to)}\n`);
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) linkExampleData();
