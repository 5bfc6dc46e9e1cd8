/**
 * Accounts mode of `quire serve` (the store has at least one user): logins by name and password
 * (POST /login) into sessions kept in the store, and API tokens (`Authorization: Bearer qk_…`) on
 * /api routes. The same surface as the single-user `Logins` (auth.ts) where the gate, the
 * WebSocket and the login routes meet it (`userOf`, `logout`, `onLogout`), so they need not know
 * which mode they run in, plus what only accounts have. The accounts themselves (hashes, limits,
 * sessions, tokens) are src/auth/'s.
 *
 * `onLogout` tells this server's own WebSockets: a logout on another server behind the same load
 * balancer ends the session (its next HTTP request is refused) but not a WebSocket already open
 * here.
 */
import type { Account, Accounts, LoginResult } from '../auth/accounts.js';
import type { User } from './auth.js';

const asUser = (account: Account): User => ({ id: account.id, name: account.name, role: account.role });

export class AccountLogins {
  readonly mode = 'accounts' as const;
  private readonly listeners = new Set<(sessionId: string) => void>();

  constructor(readonly accounts: Accounts) {}

  /** The user of a session cookie's value, or undefined (unknown, ended, idle, disabled). */
  async userOf(sessionId: string | undefined): Promise<User | undefined> {
    const account = await this.accounts.sessionUser(sessionId);
    return account && asUser(account);
  }

  /** The user an API token stands for, narrowed to its scope; undefined for any token that does not work. */
  async bearerUser(token: string): Promise<User | undefined> {
    const found = await this.accounts.tokenUser(token);
    return found && { ...asUser(found.account), scope: found.scope };
  }

  /** A name-and-password login from `address`; the session the browser came with ends. */
  login(
    name: string,
    password: string,
    address: string | undefined,
    previous: string | undefined,
  ): Promise<LoginResult> {
    return this.accounts.login(name, password, address, previous);
  }

  /** Ends a session (its cookie stops working on every server); true when there was one. */
  async logout(sessionId: string | undefined): Promise<boolean> {
    if (!sessionId || !(await this.accounts.logout(sessionId))) return false;
    for (const listener of this.listeners) listener(sessionId);
    return true;
  }

  onLogout(listener: (sessionId: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
