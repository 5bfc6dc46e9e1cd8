/**
 * What isolation this host can give its kernels, found once per process by trying it: bubblewrap
 * (`bwrap`) with new namespaces, else none beyond Node's permission model and the kernel user.
 * `QUIRE_SANDBOX` overrides: `auto` (default), `bwrap` (required: an error when it does not work)
 * or `none`. The answer is also what `quire serve`/`worker` print at start (describeIsolation).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { bwrapArgs } from './bwrap.js';
import { SYSTEM_FILES, SYSTEM_PATHS, type SandboxSpec } from './spec.js';

export type SandboxKind = 'bwrap' | 'none';

export interface SandboxSupport {
  kind: SandboxKind;
  /** the bwrap binary, when kind is bwrap */
  bwrap?: string;
  /** why there is no sandbox (the failed probe's words), when kind is none */
  reason?: string;
  /** util-linux/coreutils helpers found on this host */
  prlimit?: string;
  nice?: string;
  setpriv?: string;
}

const find = (names: string[]): string | undefined => names.find((path) => existsSync(path));

const BWRAP = ['/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap'];
const TRUE = ['/usr/bin/true', '/bin/true'];

let cached: SandboxSupport | undefined;

function probeBwrap(bwrap: string): string | undefined {
  const truePath = find(TRUE);
  if (!truePath) return 'no /usr/bin/true to probe with';
  const spec: SandboxSpec = {
    mounts: [
      { type: 'ro-bind', source: '/usr', target: '/usr' },
      ...['/lib', '/lib64', '/bin']
        .filter((path) => existsSync(path))
        .map((path) => ({ type: 'ro-bind' as const, source: path, target: path })),
      { type: 'dev' },
      { type: 'proc' },
    ],
    cwd: '/',
  };
  const probe = spawnSync(bwrap, [...bwrapArgs(spec), truePath], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status === 0) return undefined;
  return (probe.stderr || probe.error?.message || `exit ${probe.status ?? probe.signal}`).trim();
}

/** The host's sandbox support (probed on first call, then cached). */
export function sandboxSupport(env: NodeJS.ProcessEnv = process.env): SandboxSupport {
  if (cached) return cached;
  const tools = {
    prlimit: find(['/usr/bin/prlimit', '/bin/prlimit']),
    nice: find(['/usr/bin/nice', '/bin/nice']),
    setpriv: find(['/usr/bin/setpriv', '/bin/setpriv']),
  };
  const choice = env.QUIRE_SANDBOX?.trim() || 'auto';
  if (!['auto', 'bwrap', 'none'].includes(choice))
    throw new Error(`QUIRE_SANDBOX must be 'auto', 'bwrap' or 'none', not '${choice}'`);
  if (choice === 'none') return (cached = { kind: 'none', reason: 'QUIRE_SANDBOX=none', ...tools });
  const bwrap = process.platform === 'linux' ? find(BWRAP) : undefined;
  const reason = bwrap
    ? probeBwrap(bwrap)
    : process.platform === 'linux'
      ? 'bubblewrap is not installed (apt-get install bubblewrap)'
      : `no namespaces on ${process.platform}`;
  if (reason === undefined) return (cached = { kind: 'bwrap', bwrap, ...tools });
  if (choice === 'bwrap')
    throw new Error(`QUIRE_SANDBOX=bwrap, but bubblewrap does not work here: ${reason}`);
  return (cached = { kind: 'none', reason, ...tools });
}

/** For tests: forget the cached probe (after changing QUIRE_SANDBOX). */
export function resetSandboxSupport(): void {
  cached = undefined;
}

let layout: { system: { path: string; symlinkTo?: string }[]; files: string[] } | undefined;

/** This host's top-level system folders and files as the sandbox mounts them (read once). */
export function systemLayout(): { system: { path: string; symlinkTo?: string }[]; files: string[] } {
  if (layout) return layout;
  const system: { path: string; symlinkTo?: string }[] = [];
  for (const path of SYSTEM_PATHS) {
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) system.push({ path, symlinkTo: readlinkSync(path) });
      else if (stat.isDirectory()) system.push({ path });
    } catch {
      // not on this host
    }
  }
  return (layout = { system, files: SYSTEM_FILES.filter((file) => existsSync(file)) });
}
