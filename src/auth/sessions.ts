/**
 * Login sessions in the store, so every server behind a load balancer knows them and a restart
 * logs nobody out. The browser holds a random 256-bit id; the table holds its sha256.
 *
 * A session ends at the first of: its absolute lifetime (from login), its idle timeout (no request
 * for that long), logout, its user's password change or disabling. `last_seen_at` is written at
 * most once per `touchEveryMs`, so a request costs one indexed read, not a write; the idle timeout
 * is therefore exact to within that interval.
 */
import type { Db } from '../store/db.js';
import { randomSecret, digest } from './secret.js';
import { accountFromRow, type Account } from './users.js';

export interface SessionPolicy {
  /** a session ends this long after login, however busy (default 7 days) */
  absoluteMs: number;
  /** a session ends after this long without a request (default 12 hours) */
  idleMs: number;
  /** how stale `last_seen_at` may get before a request rewrites it (default 1 minute) */
  touchEveryMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  absoluteMs: 7 * 24 * 3_600_000,
  idleMs: 12 * 3_600_000,
  touchEveryMs: 60_000,
};

/** A new session for `userId`; resolves to the id the browser keeps (shown once, stored hashed). */
export async function createSession(
  db: Db,
  userId: string,
  policy: SessionPolicy,
  now: number,
  address?: string,
): Promise<string> {
  const id = randomSecret(32);
  await db.run(
    'INSERT INTO login_sessions (id_sha256, user_id, created_at, last_seen_at, expires_at, address) VALUES (?, ?, ?, ?, ?, ?)',
    [digest(id), userId, now, now, now + policy.absoluteMs, address ?? null],
  );
  return id;
}

/** The enabled account a live session belongs to, or undefined (an ended session is deleted). */
export async function sessionAccount(
  db: Db,
  id: string,
  policy: SessionPolicy,
  now: number,
): Promise<Account | undefined> {
  const key = digest(id);
  const [row] = await db.all<Record<string, unknown>>(
    `SELECT s.last_seen_at, s.expires_at, u.id, u.name, u.role, u.password_hash, u.disabled, u.created_at, u.updated_at
       FROM login_sessions s JOIN users u ON u.id = s.user_id WHERE s.id_sha256 = ?`,
    [key],
  );
  if (!row) return undefined;
  const lastSeen = Number(row.last_seen_at);
  if (Number(row.expires_at) <= now || now - lastSeen >= policy.idleMs) {
    await db.run('DELETE FROM login_sessions WHERE id_sha256 = ?', [key]);
    return undefined;
  }
  const account = accountFromRow(row as never);
  if (account.disabled) return undefined;
  if (now - lastSeen >= policy.touchEveryMs)
    await db.run('UPDATE login_sessions SET last_seen_at = ? WHERE id_sha256 = ? AND last_seen_at < ?', [
      now,
      key,
      now,
    ]);
  return account;
}

/** Ends one session; true when there was one. */
export async function deleteSession(db: Db, id: string): Promise<boolean> {
  return (await db.run('DELETE FROM login_sessions WHERE id_sha256 = ?', [digest(id)])) > 0;
}

/** Ends every session of a user (password change, disabling); resolves to how many ended. */
export const deleteUserSessions = (db: Db, userId: string): Promise<number> =>
  db.run('DELETE FROM login_sessions WHERE user_id = ?', [userId]);

/** Removes the sessions that can no longer be used (run at each login; the table stays small). */
export const purgeSessions = (db: Db, policy: SessionPolicy, now: number): Promise<number> =>
  db.run('DELETE FROM login_sessions WHERE expires_at <= ? OR last_seen_at <= ?', [now, now - policy.idleMs]);
