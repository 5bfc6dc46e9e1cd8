/**
 * Run time against the number of cells (issue 10, "Speed"): `quire run` of notebooks of N one-line
 * cells, half ```js and half ```ts, for N = 400, 4,000 and 20,000, in two shapes:
 *   independent  each cell `const vK = K;` (a wide graph, no edges)
 *   chain        each cell `const vK = vK-1 + 1;` (one long chain: the deepest graph there is)
 *   shown        each cell `const vK = K; vK * 2` (one output per cell: the record, the store's
 *                blobs and artifacts, the report grow with the cells)
 * Targets: 4,000 cells in <= 10x the time of 400 (linear), 20,000 in <= 30 s.
 *   npx tsc -p tsconfig.build.json && node scripts/bundle.mjs && node --import tsx bench/cells-scaling.ts
 * Options (environment): SIZES=400,4000 (the cell counts), SHAPES=chain, RUNS=3 (runs per size;
 * the median is reported; 20,000 always runs once), CPU_PROF=DIR (writes a CPU profile of each CLI
 * run there; `node --cpu-prof`), LIMIT_S=300 (a run past this is stopped and reported as such),
 * OUT=1 (also write the run directory, `--out`: manifest.json and report.html).
 *
 * EDITOR=1 measures the editor's server instead (in this process, real kernels, a real WebSocket
 * client; the chain shape): open (the snapshot), Run all until the last cell is ok, then edit the
 * last cell and run it (one cell re-runs), then edit the first cell and run it (all re-run).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';

type Shape = 'independent' | 'chain' | 'shown';

const root = resolve(import.meta.dirname, '..');
const quire = join(root, 'bin', 'quire.js');
const sizes = (process.env.SIZES ?? '400,4000,20000').split(',').map(Number);
const shapes = (process.env.SHAPES ?? 'independent,chain,shown').split(',') as Shape[];
const RUNS = Number(process.env.RUNS ?? 3);
const LIMIT_S = Number(process.env.LIMIT_S ?? 300);
const profileDir = process.env.CPU_PROF ? resolve(process.env.CPU_PROF) : undefined;
const withOut = process.env.OUT === '1';

/** N one-line cells, alternating js and ts, separated by one blank line (itself no prose cell). */
export function notebookText(n: number, shape: Shape): string {
  const parts = ['---\ntitle: scaling\n---\n'];
  for (let k = 0; k < n; k++) {
    const lang = k % 2 === 0 ? 'js' : 'ts';
    const body =
      shape === 'chain' && k > 0
        ? `const v${k} = v${k - 1} + 1;`
        : shape === 'shown'
          ? `const v${k} = ${k}; v${k} * 2`
          : `const v${k} = ${k};`;
    parts.push('```' + lang + '\n' + body + '\n```\n');
  }
  return parts.join('\n');
}

/** One `quire run`, wall clock in ms, or undefined past the limit. */
function runOnce(dir: string, file: string, label: string): number | undefined {
  const args = profileDir
    ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${label}.cpuprofile`]
    : [];
  const start = performance.now();
  const out = withOut ? ['--out', join(dir, `out-${label}`)] : [];
  const result = spawnSync(process.execPath, [...args, quire, 'run', file, ...out], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: LIMIT_S * 1000,
    killSignal: 'SIGINT',
  });
  const ms = performance.now() - start;
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return undefined;
  if (result.status !== 0)
    throw new Error(`quire run ${file} exited ${result.status}: ${String(result.stderr).slice(-2000)}`);
  return ms;
}

const fmt = (ms: number | undefined): string =>
  ms === undefined ? `> ${LIMIT_S} s`.padStart(10) : `${(ms / 1000).toFixed(2)} s`.padStart(10);

type Msg = Record<string, unknown> & { type: string };

/** One WebSocket client of the editor: send commands, wait for the notification that matches. */
async function editorClient(url: string, cookie: string) {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers: { cookie, origin: url } });
  await new Promise((resolveOpen, reject) => socket.once('open', resolveOpen).once('error', reject));
  let waiters: { match: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Msg;
    waiters = waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
  });
  let seq = 0;
  return {
    next: (match: (m: Msg) => boolean) =>
      new Promise<Msg>((resolveNext) => waiters.push({ match, resolve: resolveNext })),
    send: (command: Record<string, unknown>) =>
      socket.send(JSON.stringify({ ...command, requestId: `r${++seq}` })),
    close: () => socket.close(),
  };
}

async function editorScaling(work: string): Promise<void> {
  const { startServer } = await import('../src/server/server.js');
  console.log(`the editor's server, chain of N cells (node ${process.version}; one sample each)`);
  const okOf = (cellId: string) => (m: Msg) =>
    m.type === 'cellStatus' && m.cellId === cellId && m.status === 'ok';
  for (const n of sizes) {
    const dir = join(work, `editor-${n}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'cells.nb.md'), notebookText(n, 'chain'));
    const server = await startServer({ workspace: dir, port: 0 });
    try {
      const login = await fetch(server.loginUrl, { redirect: 'manual' });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const client = await editorClient(server.url, cookie);
      let t = performance.now();
      const snapshot = client.next((m) => m.type === 'snapshot');
      client.send({ type: 'open', path: 'cells.nb.md' });
      const ids = ((await snapshot).cells as { id: string; kind?: string; language?: string }[])
        .filter((c) => c.language === 'js' || c.language === 'ts')
        .map((c) => c.id);
      const open = performance.now() - t;
      const [first, last] = [ids[0]!, ids.at(-1)!];
      t = performance.now();
      let done = client.next(okOf(last));
      client.send({ type: 'runAll' });
      await done;
      const runAll = performance.now() - t;
      t = performance.now();
      done = client.next(okOf(last));
      client.send({ type: 'editCell', cellId: last, source: `const v${n - 1} = v${n - 2} + 2;` });
      client.send({ type: 'runCell', cellId: last });
      await done;
      const one = performance.now() - t;
      t = performance.now();
      done = client.next(okOf(last));
      client.send({ type: 'editCell', cellId: first, source: 'const v0 = 100;' });
      client.send({ type: 'runCell', cellId: first });
      await done;
      const all = performance.now() - t;
      client.close();
      const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(9);
      console.log(
        `  ${String(n).padStart(6)} cells: open ${f(open)}   run all ${f(runAll)}   edit+run the last ${f(one)}   edit+run the first (all re-run) ${f(all)}`,
      );
    } finally {
      await server.close();
    }
  }
}

const work = mkdtempSync(join(tmpdir(), 'quire-bench-scaling-'));
chmodSync(work, 0o755); // kernels run as `nobody` when the host is root
if (profileDir) mkdirSync(profileDir, { recursive: true });
try {
  if (process.env.EDITOR === '1') await editorScaling(work);
  else cliScaling(work);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function cliScaling(work: string): void {
  console.log(
    `quire run${withOut ? ' --out' : ''} of N one-line cells (node ${process.version}; median of ${RUNS}, 20,000 once)`,
  );
  for (const shape of shapes) {
    const times = new Map<number, number | undefined>();
    for (const n of sizes) {
      const dir = join(work, `${shape}-${n}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'cells.nb.md'), notebookText(n, shape));
      const runs = n >= 20_000 ? 1 : RUNS;
      const samples: (number | undefined)[] = [];
      for (let i = 0; i < runs; i++) samples.push(runOnce(dir, 'cells.nb.md', `${shape}-${n}-${i}`));
      const done = samples.filter((s): s is number => s !== undefined).sort((a, b) => a - b);
      const ms = done.length === samples.length ? done[Math.floor(done.length / 2)] : undefined;
      times.set(n, ms);
      const spread = done.length > 1 ? `  (min ${fmt(done[0])}, max ${fmt(done.at(-1))})` : '';
      console.log(`  ${shape.padEnd(12)} ${String(n).padStart(6)} cells ${fmt(ms)}${spread}`);
    }
    const small = times.get(400);
    const mid = times.get(4000);
    const big = times.get(20_000);
    if (small !== undefined && mid !== undefined)
      console.log(`  ${shape.padEnd(12)} 4,000 / 400: ${(mid / small).toFixed(2)}x   (target <= 10x)`);
    if (times.has(20_000)) console.log(`  ${shape.padEnd(12)} 20,000: ${fmt(big).trim()}   (target <= 30 s)`);
  }
}
