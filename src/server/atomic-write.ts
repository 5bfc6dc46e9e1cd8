/**
 * Crash-safe replacement of a file: a reader (or the next start after a crash, SIGKILL or power
 * loss) sees the old bytes or the new bytes, never a mix. It owns the temp-file protocol only;
 * version checks belong to the caller.
 *
 * Protocol: write `.NAME.tmp-PID-RANDOM` in the target's folder (same filesystem, so the rename is
 * atomic), fsync it, rename it over NAME, fsync the folder (so the rename itself survives a power
 * loss). A writer killed mid-way leaves its temp file behind; the next write in that folder removes
 * temp files whose PID is no longer alive. A live writer's temp files are never touched.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../shared/process-alive.js';

const TEMP = /^\.(.+)\.tmp-(\d+)-[0-9a-f]+$/;

/** The temp-file name for `target` written by process `pid`. */
export function tempNameFor(target: string, pid: number = process.pid): string {
  return `.${basename(target)}.tmp-${pid}-${randomBytes(6).toString('hex')}`;
}

/** Removes the temp files in `dir` left by writers that are gone. Best effort, never throws. */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = TEMP.exec(name);
    if (!match) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    try {
      await unlink(join(dir, name));
      removed.push(name);
    } catch {
      // raced with another cleaner, or not ours to remove
    }
  }
  return removed;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Atomically replaces (or creates) `target` with `data`, keeping an existing file's mode. */
export async function writeFileAtomic(target: string, data: Uint8Array): Promise<void> {
  const dir = dirname(target);
  await removeStaleTemps(dir);
  let mode: number | undefined;
  try {
    mode = (await stat(target)).mode & 0o777;
  } catch {
    // a new file: default mode, minus the umask
  }
  const temp = join(dir, tempNameFor(target));
  const handle = await open(temp, 'wx', 0o644);
  try {
    try {
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dir);
}
