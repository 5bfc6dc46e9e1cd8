/**
 * API tokens: `qk_` and 256 random bits (base64url), for scripts and CI (`Authorization: Bearer
 * qk_…`). The token is shown once, at creation; the table keeps its sha256, an id to list and
 * revoke it by, its user, scope, expiry, last use and revocation. Every token expires.
 *
 * A token acts as its user, narrowed to its scope (roles.ts): a disabled user's tokens stop
 * working, and so does a token past its expiry or revoked.
 */
import type { Db } from '../store/db.js';
import { isScope, type Scope } from './roles.js';
import { digest, newId, randomSecret } from './secret.js';
import { accountFromRow, type Account } from './users.js';

export const TOKEN_PREFIX = 'qk_';
/** `qk_` + 43 base64url characters */
const TOKEN_SHAPE = /^qk_[A-Za-z0-9_-]{43}$/;

/** A token as listed: everything but the secret. */
export interface TokenInfo {
  id: string;
  user: string;
  scope: Scope;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** How stale `last_used_at` may get before a use rewrites it. */
const TOUCH_EVERY_MS = 60_000;

export async function insertToken(
  db: Db,
  userId: string,
  scope: Scope,
  expiresAt: number,
  now: number,
): Promise<{ id: string; token: string }> {
  const id = newId('tok');
  const token = TOKEN_PREFIX + randomSecret(32);
  await db.run(
    'INSERT INTO api_tokens (id, token_sha256, user_id, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    [id, digest(token), userId, scope, now, expiresAt],
  );
  return { id, token };
}

/** The account and scope a live token stands for, or undefined. */
export async function tokenAccount(
  db: Db,
  token: string,
  now: number,
): Promise<{ account: Account; scope: Scope; tokenId: string } | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const [row] = await db.all<Record<string, unknown>>(
    `SELECT t.id AS token_id, t.scope, t.expires_at, t.last_used_at, t.revoked_at,
            u.id, u.name, u.role, u.password_hash, u.disabled, u.created_at, u.updated_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = ?`,
    [digest(token)],
  );
  if (!row || row.revoked_at !== null || Number(row.expires_at) <= now) return undefined;
  const scope = String(row.scope);
  const account = accountFromRow(row as never);
  if (account.disabled || !isScope(scope)) return undefined;
  const tokenId = String(row.token_id);
  if (row.last_used_at === null || now - Number(row.last_used_at) >= TOUCH_EVERY_MS)
    await db.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [now, tokenId]);
  return { account, scope, tokenId };
}

export async function listTokens(db: Db, userId?: string): Promise<TokenInfo[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT t.id, u.name, t.scope, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id
      ${userId ? 'WHERE t.user_id = ?' : ''} ORDER BY t.created_at, t.id`,
    userId ? [userId] : [],
  );
  const time = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    id: String(r.id),
    user: String(r.name),
    scope: String(r.scope) as Scope,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    lastUsedAt: time(r.last_used_at),
    revokedAt: time(r.revoked_at),
  }));
}

/** Revokes a token by id: 'revoked', 'already' (it was), or 'unknown'. */
export async function revokeToken(
  db: Db,
  id: string,
  now: number,
): Promise<'revoked' | 'already' | 'unknown'> {
  if (
    (await db.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id])) > 0
  )
    return 'revoked';
  return (await db.all('SELECT id FROM api_tokens WHERE id = ?', [id])).length > 0 ? 'already' : 'unknown';
}
