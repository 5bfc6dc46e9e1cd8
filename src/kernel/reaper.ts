/**
 * Kernels run detached (their own process group, so a timeout can kill grandchildren too), which
 * also means they would outlive a host that exits without shutting them down. This registry kills
 * every live kernel's group when the host process exits, whatever the reason.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

/** SIGKILL the child's whole process group; falls back to the child alone. Never throws. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function track(child: ChildProcess): void {
  live.add(child);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => live.forEach(killGroup));
  }
}

export function untrack(child: ChildProcess): void {
  live.delete(child);
}
