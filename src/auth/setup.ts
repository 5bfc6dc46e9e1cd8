/**
 * The one-time setup URL of a server asked to run with accounts while its store has none
 * (`quire serve --accounts`, or single sign-on configured): the URL carries a random token (256
 * bits) that creates the first admin, once. The store keeps only the token's sha256 and its
 * expiry (setup_tokens), so every server on the store honours it and a copy of the database
 * creates nobody. Creating the first admin removes every setup token: after that, admins are made
 * with `quire users add`.
 *
 * Must not: create an admin once the store has any user, or take a token that expired.
 */
import type { Db } from '../store/db.js';
import { hashPassword, PasswordPolicyError } from './password.js';
import { randomSecret, digest, newId } from './secret.js';
import { createSession, type SessionPolicy } from './sessions.js';
import { AccountError, checkUserName, countUsers, findUser, insertUser, type Account } from './users.js';

/** How long a setup URL works (the person starting the server opens it at once). */
export const SETUP_TOKEN_MS = 3_600_000;

/** A new setup token, valid until `now + lifetimeMs`; expired ones are dropped. */
export async function createSetupToken(db: Db, now: number, lifetimeMs = SETUP_TOKEN_MS): Promise<string> {
  const token = randomSecret(32);
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM setup_tokens WHERE expires_at <= ?', [now]);
    await tx.run('INSERT INTO setup_tokens (token_sha256, expires_at) VALUES (?, ?)', [
      digest(token),
      now + lifetimeMs,
    ]);
  });
  return token;
}

/** Whether `token` would still create the first admin (it is live and the store has no user). */
export async function setupTokenWorks(db: Db, token: string | undefined, now: number): Promise<boolean> {
  if (!token) return false;
  const [row] = await db.all('SELECT 1 AS live FROM setup_tokens WHERE token_sha256 = ? AND expires_at > ?', [
    digest(token),
    now,
  ]);
  return row !== undefined && (await countUsers(db)).users === 0;
}

export type SetupResult =
  | { ok: true; account: Account; sessionId: string }
  /** the token is unknown, used or expired, or the store already has a user */
  | { ok: false; reason: 'invalid' };

/**
 * Creates the first admin, `name` with `password`, and logs them in (a new session), if `token`
 * is live and the store has no user. One transaction: of two requests with one token, one wins.
 * A bad name or a password the policy refuses is an AccountError (the token stays live).
 */
export async function useSetupToken(
  db: Db,
  token: string,
  admin: { name: string; password: string },
  options: { policy: SessionPolicy; now: number; address?: string },
): Promise<SetupResult> {
  const { now, policy } = options;
  // Checked before the (deliberately slow) hash: a request without a live token costs one read.
  if (!(await setupTokenWorks(db, token, now))) return { ok: false, reason: 'invalid' };
  const name = checkUserName(admin.name.trim().toLowerCase());
  let passwordHash: string;
  try {
    passwordHash = await hashPassword(admin.password);
  } catch (error) {
    if (error instanceof PasswordPolicyError) throw new AccountError(error.message);
    throw error;
  }
  return db.transaction(async (tx) => {
    const taken = await tx.run('DELETE FROM setup_tokens WHERE token_sha256 = ? AND expires_at > ?', [
      digest(token),
      now,
    ]);
    if (taken !== 1 || (await countUsers(tx)).users > 0) return { ok: false, reason: 'invalid' } as const;
    const id = newId('u');
    await insertUser(tx, { id, name, role: 'admin', passwordHash, now });
    // The first admin exists: no other setup URL may make a second one.
    await tx.run('DELETE FROM setup_tokens');
    const account = (await findUser(tx, { id }))!.account;
    return {
      ok: true,
      account,
      sessionId: await createSession(tx, id, policy, now, options.address),
    } as const;
  });
}
