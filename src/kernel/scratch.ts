/**
 * Kernel scratch folders: `quire-kernel-<host pid>-<random>` in the temp dir. A host that is
 * SIGKILLed cannot remove its kernels' folders (its kernels die with it), so each new kernel first
 * removes the folders of hosts that are gone. A live host's folders are never touched.
 */
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../shared/process-alive.js';

const PREFIX = 'quire-kernel-';

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
    if (!match || isProcessAlive(Number(match[1]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** A new scratch folder for a kernel of this host. */
export function makeScratchDir(): string {
  const dir = realpathSync(tmpdir());
  removeStaleScratch(dir);
  return mkdtempSync(join(dir, `${PREFIX}${process.pid}-`));
}
