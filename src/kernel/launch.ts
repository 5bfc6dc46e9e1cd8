/**
 * How a kernel process is started: the Node flags (permission model, heap), the scrubbed
 * environment, the OS sandbox (sandbox/), the memory cap, the CPU priority and the OS user. Pure:
 * the host passes in what it found on the machine (paths, the sandbox support), so every plan is
 * easy to test.
 *
 * The command, outermost first: `nice` (kernels yield the CPU to the server) → `prlimit --as`
 * (the whole address space is capped: Buffers and native memory too, not only V8's heap) →
 * `bwrap …` (the sandbox) or `setpriv --pdeathsig KILL` (without one) → `node …runtime.mjs`.
 */
import { bwrapArgs } from './sandbox/bwrap.js';
import type { SandboxSupport } from './sandbox/detect.js';
import { sandboxSpec, type SandboxInput } from './sandbox/spec.js';
import type { KernelUser } from './user.js';

/** What the runtime receives as its one argv argument (JSON). */
export interface RuntimeConfig {
  workspace: string;
  /** the working directory (inside the workspace): relative paths and imports resolve from it */
  cwd: string;
  scratch: string;
  packageRoot: string;
  outputCapBytes: number;
  /** the largest message the kernel may send; the host ends a kernel that sends more */
  messageCapBytes: number;
  /** the notebook file, when known (what `import.meta.url` of a cell names) */
  notebook?: string;
  /** the kernel's whole memory cap in MiB (what an "out of memory" message names) */
  memoryMb: number;
  /** true when the OS sandbox already mounts the workspace read-only and hides `hidden` */
  osSandbox?: boolean;
  /** absolute paths inside the workspace that cells must not read: the run store `.quire/`, `.git/` */
  hidden?: string[];
  /** absolute paths the kernel's user was not granted (file-view.ts): hidden as well */
  ungranted?: string[];
  /** absolute paths inside hidden or ungranted ones that cells may read again (granted inside) */
  shown?: string[];
  /** with `ungranted`: the workspace's readable entries, as the host listed them (DuckDB allows only these) */
  readable?: string[];
  /** DuckDB's memory_limit in MiB (a share of the kernel's whole memory cap); absent = DuckDB's default */
  duckdbMemoryMb?: number;
  /** the host's egress proxy socket, when the workspace opens egress (runtime/egress.ts) */
  egressSocket?: string;
}

export interface LaunchPlan {
  execPath: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
}

export interface LaunchInput {
  entry: string;
  config: RuntimeConfig;
  heapMb: number;
  env?: Record<string, string>;
  user?: KernelUser;
  nodeVersion?: string;
  /** the node binary (real path) the kernel runs */
  node: string;
  /** the packages' folders (real paths) the runtime loads: DuckDB's, and undici's when egress is open */
  runtimePackages: string[];
  sandbox: SandboxSupport;
  /** the sandbox's system layout (sandbox/detect.ts systemLayout), when the sandbox is bwrap */
  system?: Pick<SandboxInput, 'system' | 'files'>;
  /** which of `config.hidden` and `config.ungranted` are files (the sandbox covers them with an empty file) */
  hiddenFiles?: string[];
  /**
   * When the kernel's user may not read all of the workspace: its readable entries (real paths,
   * file-view.ts). Without an OS sandbox, Node's permission model allows these instead of the
   * workspace; in the sandbox the mounts hide the rest, and the workspace stays listable.
   */
  readable?: string[];
  /** the niceness kernels run at (default 19; 0 = the host's own priority) */
  niceness?: number;
}

/**
 * Address space a kernel needs beyond its data: V8's reservations, thread stacks, the allocator's
 * arenas. Measured with DuckDB loaded (bench/README.md): Node 20 0.81 GiB, Node 22 0.83 GiB, Node 24
 * 1.21 GiB (it reserves a 512 MiB code range up front). Added to the memory cap so that `memoryMb`
 * is what a notebook can actually hold, whichever Node runs the kernel.
 */
export function addressSpaceOverheadMb(nodeVersion: string = process.versions.node): number {
  const major = Number(nodeVersion.split('.')[0]);
  return major >= 24 ? 1536 : 1024;
}

/**
 * The permission flag's name changed: Node 20 and 21 and 22.0-22.12 know only
 * `--experimental-permission`; 22.13+ accept `--permission`; 24 rejects the old one as a bad option.
 */
export function permissionFlag(nodeVersion: string = process.versions.node): string {
  const [major = 0, minor = 0] = nodeVersion.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 13)) return '--permission';
  return '--experimental-permission';
}

/**
 * Read access: the workspace, the scratch dir and the code the runtime loads — its one bundled
 * file and DuckDB's packages, nothing else of quire's (so no cell can import quire's internals).
 */
function readPaths(input: LaunchInput): string[] {
  const { config } = input;
  const sandboxed = input.sandbox.kind === 'bwrap' && input.sandbox.bwrap !== undefined;
  const folders = (sandboxed ? [config.workspace] : (input.readable ?? [config.workspace])).map((path) =>
    path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path,
  );
  const inside = (path: string): boolean =>
    folders.some((folder) => path === folder || path.startsWith(folder + '/'));
  // A path inside the workspace is covered by it; listed again on its own, Node 20's permission
  // model refuses to list the folders above it (a workspace that holds quire itself, a checkout).
  return [...folders, config.scratch, ...[input.entry, ...input.runtimePackages].filter((p) => !inside(p))];
}

export function nodeArgs(input: LaunchInput): string[] {
  return [
    permissionFlag(input.nodeVersion),
    // One flag per path: Node 20 does not split a comma list, Node 23+ rejects it.
    ...readPaths(input).map((path) => `--allow-fs-read=${path}`),
    `--allow-fs-write=${input.config.scratch}`,
    // DuckDB is a native addon; the runtime re-locks process.dlopen so user code gets no addons.
    '--allow-addons',
    // Lets the runtime hook every import() in cell code (vm.compileFunction's importModuleDynamically),
    // so even an import inside eval resolves against the notebook (runtime/evaluate.ts).
    '--experimental-vm-modules',
    `--max-old-space-size=${input.heapMb}`,
    // WebAssembly's guard regions reserve ~10 GiB of address space per memory, which the memory
    // cap (prlimit --as) refuses; inline bounds checks need none. Node's own fetch parses HTTP in
    // WebAssembly, so without this no kernel could fetch.
    '--disable-wasm-trap-handler',
    '--disable-warning=ExperimentalWarning',
    input.entry,
    JSON.stringify(input.config),
  ];
}

/** An allowlist, never a blocklist: anything else in the host's env may be a secret. */
const INHERITED_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ'];

export function kernelEnv(scratch: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  // Two malloc arenas instead of one per thread (64 MiB of address space each): the memory cap
  // is on address space, and DuckDB's threads would otherwise spend it on empty arenas.
  return { ...env, HOME: scratch, TMPDIR: scratch, MALLOC_ARENA_MAX: '2', ...extra };
}

/** The folders and files the sandbox mounts for this kernel. */
function sandboxInput(input: LaunchInput): SandboxInput {
  const { config } = input;
  return {
    workspace: config.workspace,
    scratch: config.scratch,
    cwd: config.cwd,
    // Folders get an empty folder over them, files (the workspace config) an empty file.
    hidden: [...(config.hidden ?? []), ...(config.ungranted ?? [])].filter(
      (path) => !(input.hiddenFiles ?? []).includes(path),
    ),
    hiddenFiles: input.hiddenFiles ?? [],
    shown: config.shown ?? [],
    runtime: [input.entry, ...input.runtimePackages],
    node: input.node,
    system: input.system?.system ?? [],
    files: input.system?.files ?? [],
  };
}

export function launchPlan(input: LaunchInput): LaunchPlan {
  const { sandbox } = input;
  const node = [input.node, ...nodeArgs(input)];
  let command: string[];
  if (sandbox.kind === 'bwrap' && sandbox.bwrap) {
    command = [sandbox.bwrap, ...bwrapArgs(sandboxSpec(sandboxInput(input))), ...node];
  } else if (sandbox.setpriv) {
    // `--pdeathsig KILL` makes the kernel die with its host even when the host is SIGKILLed (an
    // exit hook cannot run then, and a kernel stuck in a busy loop never notices its channel closing).
    command = [sandbox.setpriv, '--pdeathsig', 'KILL', '--', ...node];
  } else command = node;
  if (sandbox.prlimit) {
    const bytes = (input.config.memoryMb + addressSpaceOverheadMb(input.nodeVersion)) * 1024 * 1024;
    command = [sandbox.prlimit, `--as=${bytes}`, '--', ...command];
  }
  const niceness = input.niceness ?? 19;
  if (sandbox.nice && niceness > 0) command = [sandbox.nice, '-n', String(niceness), ...command];
  const plan: LaunchPlan = {
    execPath: command[0]!,
    args: command.slice(1),
    env: kernelEnv(input.config.scratch, input.env),
    cwd: input.config.cwd,
  };
  if (input.user) {
    plan.uid = input.user.uid;
    plan.gid = input.user.gid;
  }
  return plan;
}
