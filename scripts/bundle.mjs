#!/usr/bin/env node
// Bundles the host side of the CLI (src/cli/main.ts and what it loads) into dist/bundle/, code-split
// at every dynamic import. A short `quire run` is dominated by module loading: ~130 small ES modules
// cost ~250 ms more to resolve and compile than a few bundled chunks (bench/README.md). The kernel
// runtime is not bundled: the child runs dist/kernel/runtime/ from tsc. Native or heavy packages
// that load lazily (DuckDB, esbuild, vega, pg, sanitize-html, argon2's N-API binary) stay external.
//
// The kernel runtime (src/kernel/runtime/main.ts) is bundled too, into one file that exports
// nothing: a kernel may read that file and DuckDB's package, no other file of quire's, so no cell
// can import quire's internals (DESIGN §6; src/kernel/launch.ts).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: ['src/kernel/runtime/main.ts'],
  outfile: 'dist/kernel/runtime.mjs',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external: ['@duckdb/node-api'],
  // The runtime imports the cells' own modules by URLs known only at run time: nothing to bundle.
  logOverride: { 'unsupported-dynamic-import': 'silent' },
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external: [
    '@duckdb/node-api',
    '@node-rs/argon2',
    'better-sqlite3',
    'esbuild',
    'vega',
    'vega-lite',
    'pg',
    'sanitize-html',
  ],
  // CommonJS dependencies call require(); an ES module bundle has none of its own.
  banner: {
    js: "import { createRequire as __quireRequire } from 'node:module'; const require = __quireRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
