/**
 * How the chart process (chart-child.ts) is started: which file, which Node flags, which user.
 * Built (`dist/`), it runs under Node's permission model with read access to quire's own code and
 * nothing else: no file of the workspace or the system, no write, no child process, no worker, no
 * addon. From the TypeScript sources (tests under tsx) it runs without the permission model, since
 * tsx needs a worker thread and esbuild's child process; the built CLI's tests cover the model.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { permissionFlag, type LaunchPlan } from '../../kernel/launch.js';
import { packageRoot } from '../../kernel/paths.js';
import { bwrapArgs } from '../../kernel/sandbox/bwrap.js';
import { sandboxSupport, systemLayout, type SandboxSupport } from '../../kernel/sandbox/detect.js';
import { toolSpec } from '../../kernel/sandbox/spec.js';
import { resolveKernelUser, type KernelUser } from '../../kernel/user.js';
import type { ChartChildConfig } from './chart-child.js';

/** How the chart process is started: the same shape as a kernel's launch plan. */
export type ChartLaunch = LaunchPlan;

/** util-linux's setpriv: `--pdeathsig KILL` ends the chart process with its host, even a SIGKILLed one. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

/**
 * The entry beside this module (`dist/outputs/render/` from tsc, `src/outputs/render/` under tsx),
 * else, from the bundled CLI in `dist/bundle/`, the tsc output (`npm run build` makes both).
 */
export function chartEntry(here: string = import.meta.url, root: string = packageRoot()): string {
  if (here.endsWith('.ts')) return fileURLToPath(new URL('./chart-child.ts', here));
  const sibling = fileURLToPath(new URL('./chart-child.js', here));
  return existsSync(sibling) ? sibling : join(root, 'dist', 'outputs', 'render', 'chart-child.js');
}

/**
 * Where the chart process runs: in the kernels' OS sandbox when the host has one and the entry is
 * built (no network, only quire's code visible, the host's uid without capabilities — so a checkout
 * only root can read works); else as the kernel user (`nobody` for a root host).
 */
export function chartIsolation(entry: string = chartEntry()): { sandbox: SandboxSupport; user?: KernelUser } {
  // From the TypeScript sources (tests under tsx) neither the OS sandbox nor the user switch: tsx
  // needs a worker and esbuild's child process, and `nobody` cannot read a checkout only root can.
  if (entry.endsWith('.ts')) return { sandbox: { kind: 'none' } };
  const sandbox = sandboxSupport();
  const user = resolveKernelUser(undefined, process.env, sandbox.kind === 'bwrap');
  return user ? { sandbox, user } : { sandbox };
}

export function chartLaunchPlan(input: {
  entry: string;
  config: ChartChildConfig;
  heapMb: number;
  user?: KernelUser;
  root?: string;
  nodeVersion?: string;
  /** the OS sandbox to run in (default: none) */
  sandbox?: SandboxSupport;
}): ChartLaunch {
  const root = input.root ?? packageRoot();
  const sandbox = input.entry.endsWith('.ts')
    ? ['--import', import.meta.resolve('tsx')]
    : [
        permissionFlag(input.nodeVersion),
        // One flag per path: Node 20 does not split a comma list, Node 23+ rejects it.
        `--allow-fs-read=${join(root, 'dist')}`,
        `--allow-fs-read=${join(root, 'node_modules')}`,
        `--allow-fs-read=${join(root, 'package.json')}`,
        '--disable-warning=ExperimentalWarning',
      ];
  const args = [
    ...sandbox,
    `--max-old-space-size=${input.heapMb}`,
    input.entry,
    JSON.stringify(input.config),
  ];
  const node = [process.execPath, ...args];
  let command: string[];
  if (input.sandbox?.kind === 'bwrap' && input.sandbox.bwrap) {
    const spec = toolSpec({
      ...systemLayout(),
      node: realpathSync(process.execPath),
      readOnly: ['dist', 'node_modules', 'package.json'].map((name) => realpathSync(join(root, name))),
      cwd: root,
    });
    command = [input.sandbox.bwrap, ...bwrapArgs(spec), ...node];
  } else command = SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...node] : node;
  return {
    execPath: command[0]!,
    args: command.slice(1),
    // The host's environment may hold secrets (database URLs, tokens); a chart needs none of it.
    env: {},
    cwd: root,
    ...(input.user ? { uid: input.user.uid, gid: input.user.gid } : {}),
  };
}
