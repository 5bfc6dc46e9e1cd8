#!/usr/bin/env node
// Runs test files through node's test runner with tsx. Node 20's `--test` does not expand globs,
// so the files are listed here. Usage: node scripts/test.mjs [dir-or-file…] (default: tests/).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'node_modules' || entry === 'tmp' || entry.startsWith('.')) continue;
      collect(join(path, entry), out);
    }
  } else if (path.endsWith('.test.ts')) out.push(path);
  return out;
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const roots = args.filter((a) => !a.startsWith('--'));
const files = (roots.length ? roots : ['tests']).flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = process.env.QUIRE_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
