/**
 * A sandbox spec as bubblewrap arguments (pure). bubblewrap does every mount in one process with
 * plain system calls, so a sandboxed kernel starts as fast as a bare one (bench/kernel.ts).
 */
import type { SandboxSpec } from './spec.js';

export function bwrapArgs(spec: SandboxSpec): string[] {
  const args = [
    // A new user namespace where the host may make one (then --disable-userns stops nesting),
    // and new IPC, PID, network (loopback only), UTS and cgroup namespaces.
    '--unshare-all',
    '--die-with-parent',
    // No --new-session: the host starts the launcher in a session of its own already (spawn's
    // `detached`), without a controlling terminal, and a second session would be a scheduler
    // autogroup that ignores the kernel's lowered priority (priority.ts).
    '--cap-drop',
    'ALL',
    '--hostname',
    'quire-kernel',
  ];
  // Hidden folders turn read-only last: a path shown again inside one needs its mount point made
  // there first (bubblewrap makes it in the empty folder).
  const readOnlyLast: string[] = [];
  for (const mount of spec.mounts) {
    switch (mount.type) {
      case 'ro-bind':
        args.push('--ro-bind', mount.source, mount.target);
        break;
      case 'bind':
        args.push('--bind', mount.source, mount.target);
        break;
      case 'hide':
        args.push('--perms', '0555', '--tmpfs', mount.target);
        readOnlyLast.push(mount.target);
        break;
      case 'hide-file':
        args.push('--ro-bind', '/dev/null', mount.target);
        break;
      case 'symlink':
        args.push('--symlink', mount.target, mount.link);
        break;
      case 'dev':
        args.push('--dev', '/dev');
        break;
      case 'proc':
        args.push('--proc', '/proc');
        break;
    }
  }
  for (const target of readOnlyLast) args.push('--remount-ro', target);
  args.push('--chdir', spec.cwd, '--');
  return args;
}
