/**
 * Kernels yield the CPU to the server. `nice` alone does not do it on Linux: a kernel is started in
 * a session of its own (so that a timeout can kill its whole process group), and with the
 * scheduler's autogroups (on by default) each session is its own group, weighed equally against
 * the server's group whatever its tasks' nice values — 30 spinning kernels pushed the server's p99
 * to hundreds of milliseconds. So the new session's autogroup is made nice too, right after spawn
 * (the child has already called setsid and exec'd when spawn returns).
 */
import { writeFileSync } from 'node:fs';

export function lowerAutogroup(pid: number | undefined, niceness: number): void {
  if (pid === undefined || niceness <= 0 || process.platform !== 'linux') return;
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(niceness));
  } catch {
    // No autogroups on this kernel (or the process is already gone): nice alone applies.
  }
}
