/**
 * Shared set-up for the kernel integration tests: real workspaces on disk and real kernel
 * processes (the compiled runtime in dist/ must be built first: `npm run build`).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before } from 'node:test';
import { dirname, join } from 'node:path';
import { ProcessKernel, type ProcessKernelOptions } from '../../../src/kernel/host.js';
import type { ExecuteJs } from '../../../src/kernel/protocol.js';

type CellJs = Omit<ExecuteJs, 'execution'>;
import type { ExecuteOptions, ExecutionResult } from '../../../src/kernel/types.js';
import type { Output, StreamData } from '../../../src/outputs/types.js';

/** A workspace readable by the unprivileged kernel user (mkdtemp makes 0700 folders). */
export function makeWorkspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-ws-'));
  chmodSync(dir, 0o755);
  writeFiles(dir, files);
  return dir;
}

/** Writes `files` (path → text) into a workspace, readable by the kernel user. */
function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, path), text, { mode: 0o644 });
  }
}

export function removeWorkspace(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function startKernel(
  options: Partial<ProcessKernelOptions> & { workspace: string },
): Promise<ProcessKernel> {
  const kernel = new ProcessKernel(options);
  await kernel.start();
  return kernel;
}

/** A test's kernel: its options besides the workspace, and the files to write into the workspace. */
export interface KernelSetup extends Partial<Omit<ProcessKernelOptions, 'workspace'>> {
  files?: Record<string, string>;
}

/**
 * A setup, or a function of the fresh workspace returning one: for options that name paths in
 * it, values known only once earlier `before` hooks ran (a server's port), or things to add to it
 * before the kernel starts (symlinks).
 */
export type KernelSetupOf = KernelSetup | ((workspace: string) => KernelSetup);

/** The kernel options of `setup` in `workspace`, its files written there. */
function prepare(setup: KernelSetupOf, workspace: string): ProcessKernelOptions {
  const { files = {}, ...options } = typeof setup === 'function' ? setup(workspace) : setup;
  writeFiles(workspace, files);
  return { ...options, workspace };
}

/**
 * One kernel in a fresh workspace for the suite (or file) this is called in: started before its
 * first test, shut down and removed after its last. Its tests share the kernel's scope, so they
 * must not kill it nor depend on names another test leaves or removes.
 */
export function kernelPerSuite(setup: KernelSetupOf = {}): {
  readonly kernel: ProcessKernel;
  readonly workspace: string;
} {
  let workspace: string | undefined;
  let kernel: ProcessKernel | undefined;
  before(async () => {
    workspace = makeWorkspace();
    kernel = await startKernel(prepare(setup, workspace));
  });
  after(async () => {
    await kernel?.shutdown();
    if (workspace) removeWorkspace(workspace);
  });
  return {
    get kernel() {
      if (!kernel) throw new Error('the suite kernel is used before its before() hook ran');
      return kernel;
    },
    get workspace() {
      if (!workspace) throw new Error('the suite workspace is used before its before() hook ran');
      return workspace;
    },
  };
}

/** A kernel of a test's own: a setup, and where and whether it starts. */
export interface OwnKernelSetup extends KernelSetup {
  /** an existing workspace to run in, kept afterwards (default: a fresh one, removed afterwards) */
  workspace?: string;
  /** `false` hands the kernel over unstarted, for tests of `start()` itself */
  start?: boolean;
}

/**
 * Runs `fn` with a kernel of its own, for a test that kills or crashes it or needs other options
 * than its suite's. When `fn` ends, passed or failed, the kernel is shut down and the workspace
 * made for it removed.
 */
export async function withKernel<T>(
  setup: OwnKernelSetup | ((workspace: string) => KernelSetup),
  fn: (kernel: ProcessKernel, workspace: string) => Promise<T>,
): Promise<T> {
  const own: OwnKernelSetup = typeof setup === 'function' ? {} : setup;
  const { workspace: given, start = true, ...rest } = own;
  const workspace = given ?? makeWorkspace();
  try {
    const kernel = new ProcessKernel(prepare(typeof setup === 'function' ? setup : rest, workspace));
    try {
      if (start) await kernel.start();
      return await fn(kernel, workspace);
    } finally {
      await kernel.shutdown();
    }
  } finally {
    if (given === undefined) removeWorkspace(workspace);
  }
}

let cellCount = 0;

/** A JS cell as the analysis compiles it: a function body returning `{__quire_last?, ...declarations}`. */
export function js(code: string, fields: Partial<Omit<CellJs, 'type' | 'code'>> = {}): CellJs {
  return {
    type: 'executeJs',
    cellId: `c${++cellCount}`,
    inputs: [],
    declarations: [],
    ...fields,
    code,
  };
}

export interface Run {
  result: ExecutionResult;
  outputs: Output[];
}

export async function run(
  kernel: ProcessKernel,
  command: Parameters<ProcessKernel['execute']>[0],
  options: ExecuteOptions = {},
): Promise<Run> {
  const outputs: Output[] = [];
  const result = await kernel.execute(command, { ...options, onOutput: (output) => outputs.push(output) });
  return { result, outputs };
}

export function streamText(outputs: Output[], name?: StreamData['name']): string {
  return outputs
    .filter((o) => o.mime === 'application/vnd.quire.stream+json')
    .map((o) => o.data as StreamData)
    .filter((d) => name === undefined || d.name === name)
    .map((d) => d.text)
    .join('');
}

/** The data of the outputs of one MIME type. */
export function dataOf(outputs: Output[], mime: string): unknown[] {
  return outputs.filter((o) => o.mime === mime).map((o) => o.data);
}

/** Resolves once `pid` no longer exists. */
export async function waitGone(pid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/**
 * Cell code defining `writeFrame(message)`: a message written straight onto the kernel channel
 * (fd 3, framed as src/kernel/frames.ts does), as a hostile cell would, bypassing the runtime.
 */
export const WRITE_FRAME = [
  'const { serialize } = await __quire_import("node:v8");',
  'const { writeSync } = await __quire_import("node:fs");',
  'const writeFrame = (message) => { const body = serialize(message); const header = Buffer.alloc(4); header.writeUInt32BE(body.length); writeSync(3, Buffer.concat([header, body])); };',
].join('\n');
