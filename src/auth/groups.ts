/**
 * The `user_groups` table: which groups each user is in. A group exists while it has a member or a
 * grant names it; it has no row of its own. Its name follows the user-name rule (lowercase, so one
 * spelling per group).
 */
import type { Db } from '../store/db.js';
import { AccountError } from './users.js';

/** A group name: lowercase letters, digits, `.`, `_`, `-`; a letter or digit first; 1–64 long. */
export const GROUP_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function checkGroupName(name: string, field = 'group'): string {
  if (!GROUP_NAME.test(name))
    throw new AccountError(
      `${field}: a group name is 1–64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit; got ${JSON.stringify(name)}`,
    );
  return name;
}

/** Every membership, for the access rules. */
export async function listMemberships(db: Db): Promise<{ userId: string; group: string }[]> {
  const rows = await db.all<{ user_id: string; group_name: string }>(
    'SELECT user_id, group_name FROM user_groups ORDER BY user_id, group_name',
  );
  return rows.map((row) => ({ userId: row.user_id, group: row.group_name }));
}

export async function groupsOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db.all<{ group_name: string }>(
    'SELECT group_name FROM user_groups WHERE user_id = ? ORDER BY group_name',
    [userId],
  );
  return rows.map((row) => row.group_name);
}

/** Makes `groups` the user's groups (call inside a transaction): the old ones are replaced. */
export async function replaceGroups(db: Db, userId: string, groups: readonly string[]): Promise<void> {
  await db.run('DELETE FROM user_groups WHERE user_id = ?', [userId]);
  for (const group of new Set(groups))
    await db.run('INSERT INTO user_groups (user_id, group_name) VALUES (?, ?)', [userId, group]);
}
