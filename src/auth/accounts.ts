/**
 * Accounts: the one service the CLI and the server use for users, logins, sessions and API tokens
 * (users.ts, sessions.ts, tokens.ts and rate-limit.ts hold the queries). What must happen together
 * happens here, in one transaction: a password change or disabling ends the user's sessions; a
 * login counts the attempt, checks the password, ends the session the browser came with (session
 * ids rotate on login) and starts a new one.
 *
 * Time comes from `now` (tests pass a clock they move; nothing here sleeps).
 *
 * Must not: return or log a password, a session id other than the new one, or a token other than
 * at its creation.
 */
import type { Db } from '../store/db.js';
import { hashPassword, needsRehash, PasswordPolicyError, verifyPassword } from './password.js';
import {
  countAttempt,
  DEFAULT_LOGIN_LIMITS,
  forgiveAttempt,
  purgeAttempts,
  type LoginLimits,
} from './rate-limit.js';
import { isRole, isScope, scopeWithinRole, type Role, type Scope } from './roles.js';
import { newId } from './secret.js';
import {
  createSession,
  DEFAULT_SESSION_POLICY,
  deleteSession,
  deleteUserSessions,
  purgeSessions,
  sessionAccount,
  type SessionPolicy,
} from './sessions.js';
import { insertToken, listTokens, revokeToken, tokenAccount, type TokenInfo } from './tokens.js';
import {
  AccountError,
  checkUserName,
  countUsers,
  findUser,
  insertUser,
  listUsers,
  updateUser,
  USER_NAME,
  type Account,
} from './users.js';

export { AccountError, type Account } from './users.js';
export type { TokenInfo } from './tokens.js';

export interface AccountsOptions {
  now?: () => number;
  sessions?: Partial<SessionPolicy>;
  limits?: Partial<LoginLimits>;
}

export type LoginResult =
  | { ok: true; account: Account; sessionId: string }
  /** wrong name or password, or a disabled account: one answer for all three */
  | { ok: false; reason: 'invalid' }
  /** too many attempts for this name or this address: try again after `retryAfterMs` */
  | { ok: false; reason: 'limited'; retryAfterMs: number };

/** The longest a token may live (and the default when no expiry is given: 30 days). */
export const MAX_TOKEN_LIFETIME_MS = 366 * 24 * 3_600_000;
export const DEFAULT_TOKEN_LIFETIME_MS = 30 * 24 * 3_600_000;

export class Accounts {
  readonly policy: SessionPolicy;
  readonly limits: LoginLimits;
  private readonly now: () => number;

  constructor(
    readonly db: Db,
    options: AccountsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.policy = { ...DEFAULT_SESSION_POLICY, ...options.sessions };
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...options.limits };
  }

  // ---- users ------------------------------------------------------------------------------------

  /** Adds a user; `password` may be left out (no password login until one is set). */
  async addUser(name: string, role: Role, password?: string): Promise<Account> {
    checkUserName(name);
    if (!isRole(role)) throw new AccountError(`unknown role ${JSON.stringify(role)}`);
    const passwordHash = password === undefined ? null : await this.hash(password);
    const id = newId('u');
    await insertUser(this.db, { id, name, role, passwordHash, now: this.now() });
    return this.user(name);
  }

  /** The user named `name` (AccountError when there is none). */
  async user(name: string): Promise<Account> {
    const found = await findUser(this.db, { name });
    if (!found) throw new AccountError(`no user named "${name}"`);
    return found.account;
  }

  listUsers(): Promise<Account[]> {
    return listUsers(this.db);
  }

  /** How many users there are, and enabled admins (no users: the server keeps its single-user mode). */
  countUsers(): Promise<{ users: number; admins: number }> {
    return countUsers(this.db);
  }

  /** Sets a new password; every session of the user ends. Resolves to how many ended. */
  async setPassword(name: string, password: string): Promise<number> {
    const hash = await this.hash(password);
    return this.db.transaction(async (tx) => {
      const found = await findUser(tx, { name });
      if (!found) throw new AccountError(`no user named "${name}"`);
      await updateUser(tx, name, { passwordHash: hash }, this.now());
      return deleteUserSessions(tx, found.account.id);
    });
  }

  /** Changes a user's role (the last enabled admin stays one). */
  async setRole(name: string, role: Role): Promise<void> {
    if (!isRole(role)) throw new AccountError(`unknown role ${JSON.stringify(role)}`);
    await this.db.transaction(async (tx) => {
      const found = await findUser(tx, { name });
      if (!found) throw new AccountError(`no user named "${name}"`);
      if (role !== 'admin') await this.keepAnAdmin(tx, found.account);
      await updateUser(tx, name, { role }, this.now());
    });
  }

  /**
   * Disables (or enables) a user: a disabled user's sessions end and their tokens stop working.
   * The last enabled admin cannot be disabled.
   */
  async setDisabled(name: string, disabled: boolean): Promise<void> {
    await this.db.transaction(async (tx) => {
      const found = await findUser(tx, { name });
      if (!found) throw new AccountError(`no user named "${name}"`);
      if (disabled) await this.keepAnAdmin(tx, found.account);
      await updateUser(tx, name, { disabled }, this.now());
      if (disabled) await deleteUserSessions(tx, found.account.id);
    });
  }

  /** Refuses a change that would leave no enabled admin (nobody could manage the server). */
  private async keepAnAdmin(tx: Db, account: Account): Promise<void> {
    if (account.role === 'admin' && !account.disabled && (await countUsers(tx)).admins <= 1)
      throw new AccountError(`${account.name} is the last admin: make another user admin first`);
  }

  // ---- logins and sessions ------------------------------------------------------------------------

  /**
   * A login with a name and password from `address`. `previousSessionId` is the session the
   * browser came with, if any: it ends whatever the outcome of a successful login (no session id
   * survives a login, so one planted before it is worthless after).
   */
  async login(
    name: string,
    password: string,
    address?: string,
    previousSessionId?: string,
  ): Promise<LoginResult> {
    const now = this.now();
    // A name no account can have is counted under one subject: a flood of made-up (or 1 MB) names
    // neither finds an account nor fills the table with a row each.
    const given = name.trim().toLowerCase();
    const key = USER_NAME.test(given) ? given : '(not a user name)';
    const retryAfterMs = await countAttempt(this.db, key, address, this.limits, now);
    if (retryAfterMs !== undefined) return { ok: false, reason: 'limited', retryAfterMs };
    const found = await findUser(this.db, { name: key });
    // an unknown name is checked against a dummy hash: the same time as a wrong password
    const matches = await verifyPassword(password, found?.passwordHash ?? undefined);
    if (!found || !matches || found.account.disabled) return { ok: false, reason: 'invalid' };
    // a hash made with weaker parameters than today's is replaced while the password is at hand
    const rehash =
      found.passwordHash && needsRehash(found.passwordHash) ? await hashPassword(password) : undefined;
    const sessionId = await this.db.transaction(async (tx) => {
      await forgiveAttempt(tx, key, address);
      if (previousSessionId) await deleteSession(tx, previousSessionId);
      await purgeSessions(tx, this.policy, now);
      await purgeAttempts(tx, this.limits, now);
      if (rehash) await updateUser(tx, key, { passwordHash: rehash }, now);
      return createSession(tx, found.account.id, this.policy, now, address);
    });
    return { ok: true, account: found.account, sessionId };
  }

  /** The account of a live session, or undefined (unknown, ended, idle too long, user disabled). */
  sessionUser(sessionId: string | undefined): Promise<Account | undefined> {
    if (!sessionId) return Promise.resolve(undefined);
    return sessionAccount(this.db, sessionId, this.policy, this.now());
  }

  /** Ends a session; true when there was one. */
  logout(sessionId: string): Promise<boolean> {
    return deleteSession(this.db, sessionId);
  }

  // ---- API tokens -------------------------------------------------------------------------------

  /**
   * A new token for `userName` with `scope`, expiring after `lifetimeMs` (at most a year). The
   * returned `token` is the only time it is seen: only its hash is kept.
   */
  async createToken(
    userName: string,
    scope: Scope,
    lifetimeMs: number = DEFAULT_TOKEN_LIFETIME_MS,
  ): Promise<{ id: string; token: string; expiresAt: number }> {
    if (!isScope(scope)) throw new AccountError(`unknown scope ${JSON.stringify(scope)}`);
    if (!(lifetimeMs > 0) || lifetimeMs > MAX_TOKEN_LIFETIME_MS)
      throw new AccountError('a token lives more than zero and at most 366 days');
    const user = await this.user(userName);
    if (user.disabled) throw new AccountError(`user "${userName}" is disabled`);
    if (!scopeWithinRole(scope, user.role))
      throw new AccountError(`a ${user.role} cannot hold a token with scope ${scope}`);
    const now = this.now();
    const expiresAt = now + lifetimeMs;
    return { ...(await insertToken(this.db, user.id, scope, expiresAt, now)), expiresAt };
  }

  /** The account and scope a bearer token stands for, or undefined (unknown, expired, revoked, user disabled). */
  tokenUser(
    token: string | undefined,
  ): Promise<{ account: Account; scope: Scope; tokenId: string } | undefined> {
    if (!token) return Promise.resolve(undefined);
    return tokenAccount(this.db, token, this.now());
  }

  async listTokens(userName?: string): Promise<TokenInfo[]> {
    return listTokens(this.db, userName === undefined ? undefined : (await this.user(userName)).id);
  }

  async revokeToken(id: string): Promise<'revoked' | 'already'> {
    const outcome = await revokeToken(this.db, id, this.now());
    if (outcome === 'unknown') throw new AccountError(`no token "${id}"`);
    return outcome;
  }

  private async hash(password: string): Promise<string> {
    try {
      return await hashPassword(password);
    } catch (error) {
      if (error instanceof PasswordPolicyError) throw new AccountError(error.message);
      throw error;
    }
  }
}
