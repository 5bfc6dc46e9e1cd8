/**
 * Kernel start-up and round-trip costs against baselines measured in the same run:
 *   node --import tsx bench/kernel.ts        (needs `npm run build`: the kernel runs dist/)
 * Targets: start <= 1.5x fork-to-first-message; warm round trip <= 1 ms; idle RSS <= 60 MB.
 */
import { execFileSync, fork } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessKernel } from '../src/kernel/host.js';
import type { ExecuteJs } from '../src/kernel/protocol.js';

const RUNS = 15;
const ROUND_TRIPS = 500;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function timeMany(runs: number, once: () => Promise<number> | number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  return median(samples);
}

function nodeE0(): number {
  const t = performance.now();
  execFileSync(process.execPath, ['-e', '0']);
  return performance.now() - t;
}

function forkToFirstMessage(script: string): Promise<number> {
  const t = performance.now();
  const child = fork(script, [], { stdio: 'ignore', serialization: 'advanced', execArgv: [] });
  return new Promise((resolve) =>
    child.once('message', () => {
      resolve(performance.now() - t);
      child.kill();
    }),
  );
}

async function rawRoundTrip(script: string): Promise<number> {
  const child = fork(script, [], { stdio: 'ignore', serialization: 'advanced', execArgv: [] });
  await new Promise((resolve) => child.once('message', resolve));
  const samples: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t = performance.now();
    child.send({ i });
    await new Promise((resolve) => child.once('message', resolve));
    samples.push(performance.now() - t);
  }
  child.kill();
  return median(samples);
}

const trivial: Omit<ExecuteJs, 'execution'> = {
  type: 'executeJs',
  cellId: 'b',
  inputs: [],
  declarations: [],
  code: 'return {__quire_last: 1};',
};

async function kernelStart(workspace: string, sandbox: 'auto' | 'none' = 'auto'): Promise<number> {
  const t = performance.now();
  const kernel = new ProcessKernel({ workspace, sandbox });
  await kernel.start();
  await kernel.execute(trivial);
  const elapsed = performance.now() - t;
  await kernel.shutdown();
  return elapsed;
}

/**
 * The node process that runs the kernel: `pid` itself, or (inside the OS sandbox, whose launchers
 * keep the pid the host sees) its descendant whose program is node.
 */
function runtimePid(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  for (const queue = [pid]; queue.length > 0;) {
    const next = queue.shift()!;
    const program = readFileSync(`/proc/${next}/cmdline`, 'utf8').split('\0')[0] ?? '';
    if (/(^|\/)node[^/]*$/.test(program)) return next;
    queue.push(...(children.get(next) ?? []));
  }
  return pid;
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${runtimePid(pid)}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function report(label: string, value: number, unit: string, baseline: number, against: string): void {
  const ratio = (value / baseline).toFixed(2);
  console.log(
    `${label.padEnd(44)} ${value.toFixed(2).padStart(9)} ${unit.padEnd(3)} ${ratio.padStart(6)}x ${against}`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-'));
  chmodSync(dir, 0o755);
  const script = join(dir, 'echo.cjs');
  writeFileSync(script, 'process.on("message", (m) => process.send(m)); process.send("ready");');
  chmodSync(script, 0o644);

  const e0 = await timeMany(RUNS, nodeE0);
  const forkFirst = await timeMany(RUNS, () => forkToFirstMessage(script));
  const ipc = await rawRoundTrip(script);
  const start = await timeMany(RUNS, () => kernelStart(dir));
  // The same start without the OS sandbox, interleaved with it so that load affects both alike.
  const pairs: [number, number][] = [];
  for (let i = 0; i < RUNS; i++) pairs.push([await kernelStart(dir, 'none'), await kernelStart(dir)]);
  const bare = median(pairs.map(([without]) => without));
  const boxed = median(pairs.map(([, within]) => within));
  // What the launchers in front of node cost (nice, prlimit): node -e 0 behind them vs bare.
  const launcherCost = await timeMany(RUNS, () => {
    const t = performance.now();
    execFileSync('nice', ['-n', '10', 'prlimit', `--as=${5 * 1024 ** 3}`, '--', process.execPath, '-e', '0']);
    return performance.now() - t;
  });

  const kernel = new ProcessKernel({ workspace: dir });
  await kernel.start();
  await kernel.execute(trivial);
  const trip = await timeMany(ROUND_TRIPS, async () => {
    const t = performance.now();
    await kernel.execute(trivial);
    return performance.now() - t;
  });
  const idleRss = rssMb(kernel.pid!);
  const sql = await kernel.execute({ ...trivial, code: 'await sql`select 1`; return {};' });
  const duckRss = sql.status === 'ok' ? rssMb(kernel.pid!) : NaN;
  await kernel.shutdown();
  rmSync(dir, { recursive: true, force: true });

  console.log(`Node ${process.version}, medians (${RUNS} starts, ${ROUND_TRIPS} round trips)`);
  report('(a) node -e 0', e0, 'ms', e0, 'of itself');
  report('(b) fork to first IPC message', forkFirst, 'ms', e0, 'of (a)');
  report('(c) raw IPC round trip', ipc, 'ms', 1, 'of 1 ms');
  report('(d) ProcessKernel start to first cell result', start, 'ms', forkFirst, 'of (b) (target <= 1.5)');
  report('(e) trivial cell round trip, warm kernel', trip, 'ms', 1, 'of 1 ms target');
  report('(f) idle kernel RSS', idleRss, 'MB', 60, 'of 60 MB target');
  report('(g) kernel RSS after DuckDB loaded', duckRss, 'MB', 60, 'of 60 MB');
  report('(h) start without the OS sandbox (interleaved)', bare, 'ms', forkFirst, 'of (b)');
  report('(i) start with the OS sandbox (interleaved)', boxed, 'ms', bare, 'of (h)');
  console.log(
    `    the OS sandbox adds ${(boxed - bare).toFixed(1)} ms to a kernel's start (target <= 20 ms)`,
  );
  report('(j) node -e 0 behind nice + prlimit', launcherCost, 'ms', e0, 'of (a)');
  console.log(`    nice + prlimit add ${(launcherCost - e0).toFixed(1)} ms`);
}

await main();
