/**
 * The kernel processes started by this test process (its descendants), found in /proc: the node
 * process itself, not the launchers around it (nice, prlimit, bwrap and its init share its
 * arguments), with the working directory its runtime was told.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface KernelProcess {
  pid: number;
  cwd: string;
}

export function kernelProcesses(): KernelProcess[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p))
      if (p === process.pid) return true;
    return false;
  };
  const found: KernelProcess[] = [];
  for (const pid of parentOf.keys()) {
    if (!descends(pid)) continue;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!/(^|\/)node[^/]*$/.test(args[0] ?? '')) continue;
      if (!args.some((arg) => /kernel[/\\]runtime\.mjs$/.test(arg))) continue;
      // Inside a sandbox /proc/PID/cwd reads relative to the sandbox's own root: the runtime's
      // JSON config (the last argument) says where it runs.
      found.push({
        pid,
        cwd: (JSON.parse(args.findLast((arg) => arg.startsWith('{')) ?? '{}') as { cwd: string }).cwd,
      });
    } catch {
      // gone meanwhile (or a zombie with no command line)
    }
  }
  return found;
}
