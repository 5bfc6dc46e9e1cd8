/**
 * Which OS user a kernel runs as. A host running as root must not hand root to user code: in the
 * OS sandbox (sandbox/) the kernel keeps the host's uid but has no capabilities and sees no other
 * process, so it can read a workspace only root can read; without a sandbox, `auto` drops to
 * `nobody`, and fails closed (an error, not a silent root kernel) when that user could not read
 * the workspace.
 */
import { chownSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface KernelUser {
  name: string;
  uid: number;
  gid: number;
}

/** The unprivileged user; uid/gid 65534 is `nobody`/`nogroup` on Debian and most Linux systems. */
export const NOBODY: KernelUser = { name: 'nobody', uid: 65534, gid: 65534 };

/**
 * `auto`: the host's own user inside the OS sandbox (`sandboxed`); without one, nobody when the
 * host is root, else the host's own user (no switch). `none`: never switch. `nobody`, a number or
 * `uid:gid` name an explicit user. Without an option, `QUIRE_KERNEL_USER` decides (default `auto`).
 */
export function resolveKernelUser(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  sandboxed = false,
): KernelUser | undefined {
  // The operator's choice for every kernel of this host, when the caller names none.
  const choice = option ?? (env.QUIRE_KERNEL_USER?.trim() || 'auto');
  if (choice === 'none') return undefined;
  if (choice === 'auto') return !sandboxed && process.getuid?.() === 0 ? NOBODY : undefined;
  if (choice === 'nobody') return NOBODY;
  const match = /^(\d+)(?::(\d+))?$/.exec(choice);
  if (!match)
    throw new Error(`kernel user must be 'auto', 'none', 'nobody', 'uid' or 'uid:gid', not '${choice}'`);
  const uid = Number(match[1]);
  return { name: `uid ${uid}`, uid, gid: match[2] === undefined ? uid : Number(match[2]) };
}

/** Whether `user` has the permission bits `want` (4 read, 1 search/execute) on `path`. */
function hasBits(path: string, user: KernelUser, want: number): boolean {
  const stat = statSync(path);
  if (stat.uid === user.uid) return ((stat.mode >> 6) & want) === want;
  if (stat.gid === user.gid) return ((stat.mode >> 3) & want) === want;
  return (stat.mode & want) === want;
}

/** Throws unless `user` can list and read `dir` (every ancestor must be searchable). */
export function assertReadableBy(dir: string, user: KernelUser): void {
  const target = resolve(dir);
  const problem = (path: string): Error =>
    new Error(
      `the workspace ${target} is not readable by the kernel user ${user.name} (uid ${user.uid}): ` +
        `${path} lacks permission; make it readable (chmod o+rx on it and o+x on its parents) or set QUIRE_KERNEL_USER=none to run kernels as the current user`,
    );
  if (!hasBits(target, user, 5)) throw problem(target);
  for (let path = dirname(target); ; path = dirname(path)) {
    if (!hasBits(path, user, 1)) throw problem(path);
    if (dirname(path) === path) break;
  }
}

export function giveTo(path: string, user: KernelUser): void {
  chownSync(path, user.uid, user.gid);
}
