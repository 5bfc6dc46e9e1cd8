/**
 * What a kernel's file access by grants costs (issue 10, item 6), against the same kernel start
 * without it, measured interleaved in one run:
 *   node --import tsx bench/kernel-grants.ts      (needs `npm run build`: the kernel runs dist/)
 * - kernel start to first cell result with 0 / 10 / 100 ungranted folders (and one shown path in
 *   each) in a workspace of 200 folders, in the OS sandbox (a mount each) and without it (the
 *   host lists the workspace into an allow-list for Node's permission model and DuckDB);
 * - `fileAccessOf` with 1,000 grants (what each kernel start and each session's check per reload
 *   of the rules computes), and a session's check for a change (the same plus a stat per boundary).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileAccessOf, memoPerRules } from '../src/auth/file-access.js';
import { accessRules, type Grant } from '../src/auth/grants.js';
import { ProcessKernel } from '../src/kernel/host.js';
import type { ExecuteJs } from '../src/kernel/protocol.js';
import { sandboxSupport } from '../src/kernel/sandbox/detect.js';
import type { KernelFileAccess } from '../src/kernel/types.js';
import { existsOnce, SessionFileAccess } from '../src/server/session-file-access.js';

const PAIRS = Number(process.env.PAIRS ?? 11);
const FOLDERS = 200;

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const trivial: Omit<ExecuteJs, 'execution'> = {
  type: 'executeJs',
  cellId: 'b',
  inputs: [],
  declarations: [],
  code: 'return {__quire_last: 1};',
};

async function kernelStart(
  workspace: string,
  sandbox: 'auto' | 'none',
  fileAccess?: KernelFileAccess,
): Promise<number> {
  const t = performance.now();
  const kernel = new ProcessKernel({ workspace, sandbox, ...(fileAccess ? { fileAccess } : {}) });
  await kernel.start();
  const result = await kernel.execute(trivial);
  const elapsed = performance.now() - t;
  await kernel.shutdown();
  if (result.status !== 'ok') throw new Error(JSON.stringify(result.error));
  return elapsed;
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-grants-'));
  chmodSync(dir, 0o755);
  for (let i = 0; i < FOLDERS; i++) {
    mkdirSync(join(dir, `f${i}`), { mode: 0o755 });
    writeFileSync(join(dir, `f${i}`, 'data.csv'), 'a\n1\n', { mode: 0o644 });
    writeFileSync(join(dir, `f${i}`, 'n.nb.md'), '# n\n', { mode: 0o644 });
  }
  return dir;
}

const accessFor = (n: number): KernelFileAccess => ({
  ungranted: Array.from({ length: n }, (_, i) => `f${i}/`),
  shown: n > 0 ? ['f0/n.nb.md'] : [],
});

async function startCosts(dir: string): Promise<void> {
  const modes: ('auto' | 'none')[] = sandboxSupport().kind === 'bwrap' ? ['auto', 'none'] : ['none'];
  for (const mode of modes) {
    const samples: Record<string, number[]> = { 0: [], 10: [], 100: [], without: [] };
    await kernelStart(dir, mode); // warm the file cache
    for (let i = 0; i < PAIRS; i++) {
      samples.without!.push(await kernelStart(dir, mode));
      for (const n of [0, 10, 100]) samples[n]!.push(await kernelStart(dir, mode, accessFor(n)));
    }
    const base = median(samples.without!);
    console.log(
      `\n${mode === 'auto' ? 'OS sandbox' : 'no OS sandbox'}: kernel start to first result, median of ${PAIRS}`,
    );
    console.log(`  without file access        ${base.toFixed(1)} ms`);
    for (const n of [0, 10, 100]) {
      const m = median(samples[n]!);
      console.log(
        `  ${String(n).padStart(3)} ungranted folders     ${m.toFixed(1)} ms  (${(m - base >= 0 ? '+' : '') + (m - base).toFixed(1)} ms, ${(m / base).toFixed(2)}×)`,
      );
    }
  }
}

function decisionCosts(dir: string): void {
  const grants: Grant[] = Array.from({ length: 1000 }, (_, i) => ({
    id: `g${i}`,
    subject: i % 3 === 0 ? { kind: 'user', id: 'u_other' } : { kind: 'group', name: `g${i % 17}` },
    path: i % 2 === 0 ? `f${i % FOLDERS}/` : `f${i % FOLDERS}/n.nb.md`,
    level: 'read',
    createdBy: null,
    createdAt: 0,
  }));
  const rules = accessRules(grants, [{ userId: 'u_me', group: 'g3' }], []);
  const who = { id: 'u_me', role: 'runner' as const };
  const N = 2000;
  let t = performance.now();
  let access = fileAccessOf(rules, who);
  for (let i = 0; i < N; i++) access = fileAccessOf(rules, who);
  const perAnswer = (performance.now() - t) / N;
  // A round of the server's check: the answer kept per snapshot and user, a stat per path per round.
  const memo = memoPerRules(fileAccessOf);
  const sessions = Array.from({ length: 50 }, () => new SessionFileAccess(dir, () => memo(rules, who)));
  for (const session of sessions) session.forStart();
  const ROUNDS = 20;
  t = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    const exists = existsOnce();
    for (const session of sessions) session.outdated(exists);
    memo({ ...rules }, who); // the next reload is a new snapshot
  }
  const perRound = (performance.now() - t) / ROUNDS;
  console.log(
    `\nfileAccessOf, 1,000 grants: ${(perAnswer * 1000).toFixed(1)} µs (${access.ungranted.length} ungranted, ${access.shown.length} shown)`,
  );
  console.log(
    `the server's check per reload of the rules (once a second), 50 sessions of one user: ${perRound.toFixed(2)} ms`,
  );
}

const dir = workspace();
try {
  decisionCosts(dir);
  await startCosts(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
