/**
 * Shared set-up for the `quire run` integration tests: real workspaces on disk and the real CLI
 * (`bin/quire.js`, which runs dist/: `npm run build` first) spawned as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellRecord, RunRecord } from '../../../src/runner/record.js';
import { makeWorkspace as makeReadableWorkspace, removeWorkspace } from '../kernel/helpers.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliPath = join(repoRoot, 'bin', 'quire.js');

/**
 * A workspace the unprivileged kernel user can read (mkdtemp makes 0700 folders), with an empty
 * package.json so it is the workspace root, and the given files.
 */
export function makeWorkspace(files: Record<string, string> = {}): string {
  return makeReadableWorkspace({ 'package.json': '{}\n', ...files });
}

export { removeWorkspace };

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** the parsed `--json` record when stdout holds one */
  record?: RunRecord;
  /** the highest resident set size of the CLI process seen while it ran (bytes), if measured */
  peakRssBytes?: number;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** called with the spawned CLI process (e.g. to kill it) */
  onSpawn?: (child: ChildProcess) => void;
  /** poll /proc for the CLI's peak RSS */
  measureRss?: boolean;
  /** spawn the CLI as the leader of its own process group */
  detached?: boolean;
  /** written to the CLI's standard input, which is then closed (default: no standard input) */
  input?: string | Buffer;
}

/** Runs `node bin/quire.js ...args` and collects its exit code, stdout, stderr and record. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const rssTimer = options.measureRss
      ? setInterval(() => {
          const hwm = readPeakRss(child.pid);
          if (hwm !== undefined) peak = Math.max(peak, hwm);
        }, 25)
      : undefined;
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (rssTimer) clearInterval(rssTimer);
      const result: CliResult = { code, signal, stdout, stderr };
      if (options.measureRss) result.peakRssBytes = peak;
      if (args.includes('--json') && stdout.trim().startsWith('{')) {
        result.record = JSON.parse(stdout) as RunRecord;
      }
      resolvePromise(result);
    });
    if (options.input !== undefined && child.stdin) {
      // the CLI may stop reading early (an over-long password): that is not the test's error
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
    options.onSpawn?.(child);
  });
}

/** VmHWM (the peak resident set) of a live process, in bytes. */
function readPeakRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The ids of the live processes whose parent is `pid` (from /proc). */
export function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Whether the process `pid` still exists (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 20 ms until it returns a value, or gives up after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined, timeoutMs = 15_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = check();
    if (value !== undefined) return value;
    await sleep(20);
  }
  return undefined;
}

/** The cell of a record by id or name; throws (failing the test) when absent. */
export function cell(record: RunRecord | undefined, idOrName: string): CellRecord {
  const found = record?.cells.find((c) => c.id === idOrName || c.name === idOrName);
  if (!found)
    throw new Error(`no cell "${idOrName}" in the record: ${record?.cells.map((c) => c.id).join(', ')}`);
  return found;
}

/** The text of a cell's stream outputs. */
export function streamText(c: CellRecord, name?: 'stdout' | 'stderr'): string {
  return c.outputs
    .filter((o) => o.mime === 'application/vnd.quire.stream+json')
    .map((o) => o.data as { name: string; text: string })
    .filter((d) => name === undefined || d.name === name)
    .map((d) => d.text)
    .join('');
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * Runs `fn` while watching a private TMPDIR, and reports whether a kernel scratch folder
 * (`quire-kernel-*`) was created in it (the kernel makes one before it starts) and whether one is
 * still there after `fn` (a kernel left behind). Pass the returned env to the CLI.
 */
export async function watchingKernels<T>(
  fn: (env: Record<string, string>) => Promise<T>,
): Promise<{ result: T; kernelStarted: boolean; kernelLeft: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-tmp-'));
  chmodSync(dir, 0o755);
  let kernelStarted = false;
  const watcher = watch(dir, (_event, name) => {
    if (name?.toString().startsWith('quire-kernel-')) kernelStarted = true;
  });
  try {
    const result = await fn({ TMPDIR: dir });
    await sleep(50);
    const kernelLeft = readdirSync(dir).some((n) => n.startsWith('quire-kernel-'));
    return { result, kernelStarted: kernelStarted || kernelLeft, kernelLeft };
  } finally {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
