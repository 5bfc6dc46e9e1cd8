/**
 * How a kernel process is started: the Node flags (permission model, heap), the scrubbed
 * environment and the OS user. Pure apart from reading the Node version, so it is easy to test.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelUser } from './user.js';

/** What the runtime receives as its one argv argument (JSON). */
export interface RuntimeConfig {
  workspace: string;
  /** the working directory (inside the workspace): relative paths and imports resolve from it */
  cwd: string;
  scratch: string;
  packageRoot: string;
  outputCapBytes: number;
  /** true when the OS sandbox already mounts the workspace read-only and hides `hidden` */
  osSandbox?: boolean;
  /** absolute paths inside the workspace that cells must not read: the run store `.quire/`, `.git/` */
  hidden?: string[];
  /** DuckDB's memory_limit in MiB (a share of the kernel's whole memory cap); absent = DuckDB's default */
  duckdbMemoryMb?: number;
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

/** Read access: the workspace, the scratch dir and the code the runtime loads (never the whole root). */
function readPaths(config: RuntimeConfig): string[] {
  const root = config.packageRoot;
  return [
    config.workspace,
    config.scratch,
    join(root, 'dist'),
    join(root, 'node_modules'),
    join(root, 'package.json'),
  ];
}

export function nodeArgs(input: LaunchInput): string[] {
  return [
    permissionFlag(input.nodeVersion),
    // One flag per path: Node 20 does not split a comma list, Node 23+ rejects it.
    ...readPaths(input.config).map((path) => `--allow-fs-read=${path}`),
    `--allow-fs-write=${input.config.scratch}`,
    // DuckDB is a native addon; the runtime re-locks process.dlopen so user code gets no addons.
    '--allow-addons',
    `--max-old-space-size=${input.heapMb}`,
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
  return { ...env, HOME: scratch, TMPDIR: scratch, ...extra };
}

/**
 * util-linux's setpriv, when the machine has it: `--pdeathsig KILL` makes the kernel die with its
 * host even when the host is SIGKILLed (an exit hook cannot run then, and a kernel stuck in a busy
 * loop never notices its IPC channel closing).
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

export function launchPlan(input: LaunchInput): LaunchPlan {
  const args = nodeArgs(input);
  const plan: LaunchPlan = {
    execPath: SETPRIV ?? process.execPath,
    args: SETPRIV ? ['--pdeathsig', 'KILL', '--', process.execPath, ...args] : args,
    env: kernelEnv(input.config.scratch, input.env),
    cwd: input.config.cwd,
  };
  if (input.user) {
    plan.uid = input.user.uid;
    plan.gid = input.user.gid;
  }
  return plan;
}
