/**
 * Whether a process exists. Used by every clean-up of leftovers named after their writer's pid
 * (run directories, saved notebooks, kernel scratch folders): a leftover whose writer is gone was
 * abandoned by a SIGKILL or a power loss; a live writer's is never touched.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
