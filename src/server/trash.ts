/**
 * Deleting a notebook moves it, never unlinks it: the file is renamed into the workspace's trash
 * (`.quire/trash/<time>/<its path>`, a dot-folder nothing serves, lists or schedules), in one
 * atomic step, so a reader sees it there or gone and a mistaken delete can be undone by moving it
 * back. It owns the moving only; which version may be deleted is the caller's (workspace-files.ts).
 *
 * The check of the version and the move are not one step between processes, so the moved bytes
 * are checked again after the move: when another process wrote the file in between, it is put
 * back (a `link`, which refuses to replace a file that appeared meanwhile: then it stays in the
 * trash, never lost) and the delete is a conflict.
 */
import { readFile, link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { versionOf } from './scan.js';

export type TrashResult = { ok: true; trashed: string } | { ok: false; currentVersion: string | null };

/** The trash path of `relative` deleted at `time`: `.quire/trash/20261204T201500123Z/a/b.nb.md`. */
export function trashPathFor(root: string, relative: string, time: Date): string {
  const stamp = time.toISOString().replace(/[-:.]/g, '');
  return join(root, '.quire', 'trash', stamp, ...relative.split('/'));
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Moves `absolute` (a notebook at `version`) into the trash; a conflict if it was not at it. */
export async function moveToTrash(
  root: string,
  absolute: string,
  relative: string,
  version: string,
  time: Date = new Date(),
): Promise<TrashResult> {
  const target = trashPathFor(root, relative, time);
  await mkdir(dirname(target), { recursive: true });
  await rename(absolute, target);
  const moved = versionOf(await readFile(target));
  if (moved !== version) {
    try {
      await link(target, absolute);
      await unlink(target);
    } catch {
      // a new file is at the path now: the moved one stays in the trash, not lost
    }
    return { ok: false, currentVersion: moved };
  }
  await fsyncDir(dirname(absolute));
  return { ok: true, trashed: target };
}
