/**
 * The accounts single sign-on makes: `user_identities` ties an account to one (issuer, subject) of
 * an OpenID provider, and `signInIdentity` is the login of such an identity. The provider is the
 * authority on who the user is and what groups they are in, so the role is set from the groups at
 * every login (a user moved out of a group loses its role at the next login; their open sessions
 * keep it until they end). Quire is the authority on whether the account may log in: a disabled
 * account stays refused whatever the provider says.
 *
 * An identity never takes over an account it did not make: a provider user named "ada" gets a new
 * account (named "ada-2" if "ada" is taken), not the local "ada" with her password.
 *
 * Must not: log in a disabled account, or keep the session the browser came with.
 */
import { one, type Db } from '../store/db.js';
import type { Role } from './roles.js';
import { newId } from './secret.js';
import { createSession, deleteSession, purgeSessions, type SessionPolicy } from './sessions.js';
import { findUser, insertUser, updateUser, USER_NAME, type Account } from './users.js';

/** Who the provider says logged in. */
export interface Identity {
  issuer: string;
  /** the provider's stable id of the user (`sub`) */
  subject: string;
  /** what the user is called there (preferred_username, email, name), for a new account's name */
  nameHints: readonly unknown[];
}

export type IdentityLoginResult =
  | { ok: true; account: Account; sessionId: string; created: boolean }
  | { ok: false; reason: 'disabled'; account: Account };

/**
 * A user name from what the provider calls the user: the first hint that yields one, lowercased,
 * other characters turned into `-` (an email's domain dropped); `user` when none does.
 */
export function nameFromHints(hints: readonly unknown[]): string {
  for (const hint of hints) {
    if (typeof hint !== 'string') continue;
    const local = hint.includes('@') ? hint.slice(0, hint.indexOf('@')) : hint;
    const name = local
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 56)
      .replace(/-+$/, '');
    if (USER_NAME.test(name)) return name;
  }
  return 'user';
}

/** `base`, else `base-2`, `base-3`, …: the first name no account has. */
async function freeName(db: Db, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await findUser(db, { name: candidate }))) return candidate;
  }
}

/**
 * Logs in the account of `identity` with `role`, making the account on the identity's first
 * login; ends `previousSessionId` and starts a session exactly as a password login does (same
 * table, same policy, a new id). One transaction: two first logins of one identity make one account.
 */
export function signInIdentity(
  db: Db,
  identity: Identity,
  role: Role,
  options: { policy: SessionPolicy; now: number; address?: string; previousSessionId?: string },
): Promise<IdentityLoginResult> {
  const { policy, now } = options;
  return db.transaction(async (tx) => {
    const linked = await one<{ user_id: string }>(
      tx,
      'SELECT user_id FROM user_identities WHERE issuer = ? AND subject = ?',
      [identity.issuer, identity.subject],
    );
    let account: Account;
    let created = false;
    if (linked) {
      const found = await findUser(tx, { id: linked.user_id });
      if (!found) throw new Error(`identity ${identity.subject} names a user that does not exist`);
      account = found.account;
      if (account.disabled) return { ok: false, reason: 'disabled', account };
      if (account.role !== role) {
        await updateUser(tx, account.name, { role }, now);
        account = { ...account, role, updatedAt: now };
      }
      await tx.run('UPDATE user_identities SET last_login_at = ? WHERE issuer = ? AND subject = ?', [
        now,
        identity.issuer,
        identity.subject,
      ]);
    } else {
      const name = await freeName(tx, nameFromHints(identity.nameHints));
      const id = newId('u');
      // No password: this account logs in through its provider only.
      await insertUser(tx, { id, name, role, passwordHash: null, now });
      await tx.run(
        'INSERT INTO user_identities (issuer, subject, user_id, created_at, last_login_at) VALUES (?, ?, ?, ?, ?)',
        [identity.issuer, identity.subject, id, now, now],
      );
      account = (await findUser(tx, { id }))!.account;
      created = true;
    }
    if (options.previousSessionId) await deleteSession(tx, options.previousSessionId);
    await purgeSessions(tx, policy, now);
    const sessionId = await createSession(tx, account.id, policy, now, options.address);
    return { ok: true, account, sessionId, created };
  });
}

// ---- logins in flight ---------------------------------------------------------------------------

/** What a started login keeps until its callback: the nonce and the PKCE verifier. */
export interface PendingLogin {
  nonce: string;
  codeVerifier: string;
}

/**
 * How many started logins may wait at once. Starting one needs no credential, so without a cap an
 * anonymous loop could grow the table for as long as a login may wait; past it, starts are refused
 * until some finish or expire (people signing in at that moment retry).
 */
export const MAX_PENDING_LOGINS = 10_000;

/** Too many logins are in progress (`MAX_PENDING_LOGINS`): try again shortly. */
export class PendingLoginsFull extends Error {
  override readonly name = 'PendingLoginsFull';
}

/** Keeps a started login under the sha256 of its state until `expiresAt`; drops expired ones. */
export async function savePendingLogin(
  db: Db,
  stateSha256: string,
  pending: PendingLogin,
  expiresAt: number,
  now: number,
  max = MAX_PENDING_LOGINS,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM oidc_logins WHERE expires_at <= ?', [now]);
    const waiting = await one<{ n: number | string }>(tx, 'SELECT COUNT(*) AS n FROM oidc_logins');
    if (Number(waiting?.n ?? 0) >= max) throw new PendingLoginsFull('too many sign-ins are in progress');
    await tx.run(
      'INSERT INTO oidc_logins (state_sha256, nonce, code_verifier, expires_at) VALUES (?, ?, ?, ?)',
      [stateSha256, pending.nonce, pending.codeVerifier, expiresAt],
    );
  });
}

/**
 * The started login of a state, removed as it is read: a state works once, and of two callbacks
 * racing with it only the one whose delete took the row goes on. Undefined: unknown, used or expired.
 */
export function takePendingLogin(
  db: Db,
  stateSha256: string,
  now: number,
): Promise<PendingLogin | undefined> {
  return db.transaction(async (tx) => {
    const row = await one<{ nonce: string; code_verifier: string; expires_at: number | string }>(
      tx,
      'SELECT nonce, code_verifier, expires_at FROM oidc_logins WHERE state_sha256 = ?',
      [stateSha256],
    );
    if (!row) return undefined;
    if ((await tx.run('DELETE FROM oidc_logins WHERE state_sha256 = ?', [stateSha256])) !== 1)
      return undefined;
    if (Number(row.expires_at) <= now) return undefined;
    return { nonce: row.nonce, codeVerifier: row.code_verifier };
  });
}
