/**
 * `quire run` of a 10-cell notebook (light TS, one DuckDB aggregate) to report.html, against
 * `node -e 0` measured in the same run. Target: median wall <= 8x `node -e 0`.
 *   node --import tsx bench/run-notebook.ts     (needs `npm run build`)
 * Also measures a notebook without SQL (it must not pay for DuckDB) and the kernel-free floor of
 * the CLI (`quire --version`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.env.RUNS ?? 9);
const root = resolve(import.meta.dirname, '..');
const quire = join(root, 'bin', 'quire.js');
const out = mkdtempSync(join(tmpdir(), 'quire-bench-run-'));

function wall(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

function median(label: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const samples = Array.from({ length: RUNS }, () => wall(args, env)).sort((a, b) => a - b);
  const ms = samples[Math.floor(samples.length / 2)]!;
  console.log(
    `  ${label.padEnd(46)} ${ms.toFixed(0).padStart(6)} ms   (min ${samples[0]!.toFixed(0)}, max ${samples.at(-1)!.toFixed(0)})`,
  );
  return ms;
}

execFileSync(process.execPath, [quire, '--version']); // warm the page cache
console.log(`quire run, median of ${RUNS} (node ${process.version})`);
const floor = median('node -e 0 (baseline)', ['-e', '0']);
const version = median('quire --version', [quire, '--version']);
const ten = median('quire run ten-cells.nb.md --out (TS + SQL)', [
  quire,
  'run',
  'bench/fixtures/ten-cells.nb.md',
  '--out',
  join(out, 'ten'),
]);
const noSql = median('quire run no-sql.nb.md --out (TS only)', [
  quire,
  'run',
  'bench/fixtures/no-sql.nb.md',
  '--out',
  join(out, 'nosql'),
]);
// The isolation's cost: the same run with the OS sandbox turned off (permission model only).
const unboxed = median(
  'quire run ten-cells.nb.md --out, QUIRE_SANDBOX=none',
  [quire, 'run', 'bench/fixtures/ten-cells.nb.md', '--out', join(out, 'ten-none')],
  { ...process.env, QUIRE_SANDBOX: 'none' },
);
console.log('');
console.log(`  quire --version / node -e 0     ${(version / floor).toFixed(2)}x`);
console.log(`  ten cells, sandbox / without    ${(ten / unboxed).toFixed(2)}x   (target <= 1.10x)`);
console.log(`  ten cells with SQL / node -e 0  ${(ten / floor).toFixed(2)}x   (target <= 8x)`);
console.log(`  ten cells, no SQL / node -e 0   ${(noSql / floor).toFixed(2)}x`);
rmSync(out, { recursive: true, force: true });
