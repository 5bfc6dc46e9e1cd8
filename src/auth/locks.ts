/**
 * The `notebook_locks` table: read-only notebooks. A locked notebook refuses `notebook:edit` to
 * everyone, admins included, until it is unlocked (grants.ts decides; this file only stores).
 */
import type { Db } from '../store/db.js';
import type { NotebookLock } from './grants.js';

interface LockRow {
  path: string;
  locked_by: string | null;
  locked_at: number | string;
  reason: string | null;
}

const fromRow = (row: LockRow): NotebookLock => ({
  path: row.path,
  lockedBy: row.locked_by,
  lockedAt: Number(row.locked_at),
  reason: row.reason,
});

export async function listLocks(db: Db): Promise<NotebookLock[]> {
  const rows = await db.all<LockRow & Record<string, unknown>>(
    'SELECT path, locked_by, locked_at, reason FROM notebook_locks ORDER BY path',
  );
  return rows.map(fromRow);
}

/** Locks a notebook; 'already' when it was (its lock, reason and time, are kept). */
export async function lockNotebook(db: Db, lock: NotebookLock): Promise<'locked' | 'already'> {
  const changed = await db.run(
    'INSERT INTO notebook_locks (path, locked_by, locked_at, reason) VALUES (?, ?, ?, ?) ON CONFLICT (path) DO NOTHING',
    [lock.path, lock.lockedBy, lock.lockedAt, lock.reason],
  );
  return changed > 0 ? 'locked' : 'already';
}

/** Unlocks a notebook; false when it was not locked. */
export async function unlockNotebook(db: Db, path: string): Promise<boolean> {
  return (await db.run('DELETE FROM notebook_locks WHERE path = ?', [path])) > 0;
}
