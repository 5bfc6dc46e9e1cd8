#!/usr/bin/env node
// Bundles the host side of the CLI (src/cli/main.ts and what it loads) into dist/bundle/, code-split
// at every dynamic import. A short `quire run` is dominated by module loading: ~130 small ES modules
// cost ~250 ms more to resolve and compile than a few bundled chunks (bench/README.md). The kernel
// runtime is not bundled: the child runs dist/kernel/runtime/ from tsc. Native or heavy packages
// that load lazily (DuckDB, esbuild, vega, pg, sanitize-html) stay external.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external: ['@duckdb/node-api', 'better-sqlite3', 'esbuild', 'vega', 'vega-lite', 'pg', 'sanitize-html'],
  // CommonJS dependencies call require(); an ES module bundle has none of its own.
  banner: {
    js: "import { createRequire as __quireRequire } from 'node:module'; const require = __quireRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
