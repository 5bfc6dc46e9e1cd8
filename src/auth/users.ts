/**
 * The `users` table: one row per account, its unique lowercase name, role, password hash and
 * whether it is disabled. Plain reads and writes; what must happen together (a password change
 * ends the user's sessions) is in accounts.ts.
 */
import { one, type Db } from '../store/db.js';
import { isRole, type Role } from './roles.js';

/** An account as the rest of quire sees it (never with its hash). */
export interface Account {
  id: string;
  name: string;
  role: Role;
  disabled: boolean;
  /** whether a password is set (an account without one cannot log in with a password) */
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A mistake in what was asked of accounts (an unknown or taken name, a bad role): bad input. */
export class AccountError extends Error {
  override readonly name = 'AccountError';
}

/** A user name: lowercase letters, digits, `.`, `_`, `-`; a letter or digit first; 1–64 long. */
export const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function checkUserName(name: string): string {
  if (!USER_NAME.test(name))
    throw new AccountError(
      `a user name is 1–64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit; got ${JSON.stringify(name)}`,
    );
  return name;
}

interface UserRow {
  id: string;
  name: string;
  role: string;
  password_hash: string | null;
  disabled: number | boolean;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'id, name, role, password_hash, disabled, created_at, updated_at';

export function accountFromRow(row: UserRow): Account {
  if (!isRole(row.role)) throw new Error(`user ${row.name} has an unknown role ${JSON.stringify(row.role)}`);
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    disabled: Boolean(Number(row.disabled)),
    hasPassword: row.password_hash !== null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** An account with its stored hash, for checking a password. */
export async function findUser(
  db: Db,
  by: { name: string } | { id: string },
): Promise<{ account: Account; passwordHash: string | null } | undefined> {
  const [column, value] = 'name' in by ? ['name', by.name] : ['id', by.id];
  const row = await one<UserRow & Record<string, unknown>>(
    db,
    `SELECT ${COLUMNS} FROM users WHERE ${column} = ?`,
    [value],
  );
  return row ? { account: accountFromRow(row), passwordHash: row.password_hash } : undefined;
}

export async function listUsers(db: Db): Promise<Account[]> {
  const rows = await db.all<UserRow & Record<string, unknown>>(`SELECT ${COLUMNS} FROM users ORDER BY name`);
  return rows.map(accountFromRow);
}

export async function insertUser(
  db: Db,
  user: { id: string; name: string; role: Role; passwordHash: string | null; now: number },
): Promise<void> {
  try {
    await db.run(`INSERT INTO users (${COLUMNS}) VALUES (?, ?, ?, ?, 0, ?, ?)`, [
      user.id,
      user.name,
      user.role,
      user.passwordHash,
      user.now,
      user.now,
    ]);
  } catch (error) {
    // 23505: PostgreSQL's unique_violation; SQLite says "UNIQUE constraint failed"
    const e = error as { code?: string; message?: string };
    if (e.code === '23505' || /UNIQUE constraint failed/.test(e.message ?? ''))
      throw new AccountError(`a user named "${user.name}" already exists`);
    throw error;
  }
}

/** Sets some columns of a user by name; false when there is no such user. */
export async function updateUser(
  db: Db,
  name: string,
  changes: { passwordHash?: string; role?: Role; disabled?: boolean },
  now: number,
): Promise<boolean> {
  const columns: [string, string | number][] = [['updated_at', now]];
  if (changes.passwordHash !== undefined) columns.push(['password_hash', changes.passwordHash]);
  if (changes.role !== undefined) columns.push(['role', changes.role]);
  if (changes.disabled !== undefined) columns.push(['disabled', changes.disabled ? 1 : 0]);
  const sets = columns.map(([column]) => `${column} = ?`);
  const params = columns.map(([, value]) => value);
  return (await db.run(`UPDATE users SET ${sets.join(', ')} WHERE name = ?`, [...params, name])) > 0;
}

/** How many accounts exist, and how many of them are enabled admins. */
export async function countUsers(db: Db): Promise<{ users: number; admins: number }> {
  const row = await one<{ users: number | string; admins: number | string | null }>(
    db,
    `SELECT COUNT(*) AS users, SUM(CASE WHEN role = 'admin' AND disabled = 0 THEN 1 ELSE 0 END) AS admins FROM users`,
  );
  return { users: Number(row?.users ?? 0), admins: Number(row?.admins ?? 0) };
}
