/**
 * Kernel scratch folders: `quire-kernel-<host pid>-<random>` in the temp dir. A host that is
 * SIGKILLed cannot remove its kernels' folders (its kernels die with it), so each new kernel first
 * removes the folders of hosts that are gone. A live host's folders are never touched.
 */
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'quire-kernel-';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes scratch folders whose host process no longer exists. Best effort, never throws. */
export function removeStaleScratch(dir: string = realpathSync(tmpdir())): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** A new scratch folder for a kernel of this host. */
export function makeScratchDir(): string {
  const dir = realpathSync(tmpdir());
  removeStaleScratch(dir);
  return mkdtempSync(join(dir, `${PREFIX}${process.pid}-`));
}
