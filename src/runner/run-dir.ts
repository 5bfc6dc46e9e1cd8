/**
 * Writes a run directory all at once: files go into a temporary sibling which is renamed into
 * place at the end, so a reader never sees a half-written run directory, and a run that dies
 * midway leaves at most a `.DIR.tmp-PID-*` folder (never a torn `manifest.json`). The next write
 * to the same DIR removes such leftovers whose process is gone; a live writer's are left alone.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isProcessAlive } from '../shared/process-alive.js';
import { makeDirs } from '../shared/make-dirs.js';

export interface RunDirFile {
  /** a path relative to the run directory (no `..`) */
  path: string;
  data: string | Buffer;
}

export async function writeRunDir(outDir: string, files: RunDirFile[]): Promise<void> {
  const target = resolve(outDir);
  const parent = dirname(target);
  await makeDirs(parent);
  await removeStale(parent, basename(target));
  // The pid in the name tells a later run whether the writer is still alive.
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = join(parent, `.${basename(target)}.tmp-${suffix}`);
  await mkdir(temp);
  try {
    for (const file of files) {
      const path = resolve(temp, file.path);
      if (!path.startsWith(temp + '/')) throw new Error(`run file escapes the run directory: ${file.path}`);
      await makeDirs(dirname(path));
      await writeDurably(path, file.data);
    }
    await replaceDir(temp, target, suffix);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

async function writeDurably(path: string, data: string | Buffer): Promise<void> {
  await writeFile(path, data);
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Moves `temp` to `target`; an existing target is set aside first and removed once replaced. */
async function replaceDir(temp: string, target: string, suffix: string): Promise<void> {
  if (!existsSync(target)) {
    await rename(temp, target);
    return;
  }
  const old = join(dirname(target), `.${basename(target)}.old-${suffix}`);
  await rename(target, old);
  try {
    await rename(temp, target);
  } catch (error) {
    await rename(old, target);
    throw error;
  }
  await rm(old, { recursive: true, force: true });
}

/** Removes `.NAME.tmp-PID-*` and `.NAME.old-PID-*` left by writers that died (kill -9, power loss). */
async function removeStale(parent: string, name: string): Promise<void> {
  const prefix = `.${name}.`;
  const pattern = /^(?:tmp|old)-(\d+)-[0-9a-f]+$/;
  let entries: string[];
  try {
    entries = await readdir(parent);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = pattern.exec(entry.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    if (isProcessAlive(pid)) continue;
    await rm(join(parent, entry), { recursive: true, force: true });
  }
}
