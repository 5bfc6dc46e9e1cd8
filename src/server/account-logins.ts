/**
 * Accounts mode of `quire serve` (the store has at least one user): logins by name and password
 * (POST /login) into sessions kept in the store, and API tokens (`Authorization: Bearer qk_…`) on
 * /api routes. The same surface as the single-user `Logins` (auth.ts) where the gate, the
 * WebSocket and the login routes meet it (`userOf`, `logout`, `onLogout`), so they need not know
 * which mode they run in, plus what only accounts have. The accounts themselves (hashes, limits,
 * sessions, tokens) are src/auth/'s.
 *
 * `ServerLogins` holds the mode in force: a server started on a store without users runs single-user
 * (`TokenLogins`) until a user appears, then turns to accounts without a restart. Single sign-on
 * (src/auth/oidc.ts) and the first-admin setup URL (src/auth/setup.ts) log in through their own
 * routes into the same store sessions.
 *
 * `onLogout` tells this server's own WebSockets: a logout on another server behind the same load
 * balancer ends the session (its next HTTP request is refused) but not a WebSocket already open
 * here.
 */
import type { Account, Accounts, LoginResult } from '../auth/accounts.js';
import { Logins, type User } from './auth.js';

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

/** Single-user logins that remember their sessions, so that turning to accounts can end them all. */
export class TokenLogins extends Logins {
  private readonly live = new Set<string>();

  override login(token: string | undefined): string | undefined {
    const id = super.login(token);
    if (id !== undefined) this.live.add(id);
    return id;
  }

  override logout(sessionId: string | undefined): boolean {
    if (sessionId !== undefined) this.live.delete(sessionId);
    return super.logout(sessionId);
  }

  /** Ends every login (their WebSockets close: the listeners are told); resolves to how many. */
  logoutAll(): number {
    const ids = [...this.live];
    for (const id of ids) this.logout(id);
    return ids.length;
  }
}

/**
 * The logins of one server: single-user (the printed token) while the store has no user, accounts
 * from the moment it has one. A server started without users checks the store every `pollMs`; when
 * `quire users add` (or another server's setup) made the first user, it turns to accounts at once
 * and for good: every single-user login ends (its cookie stops working, its WebSockets close) and
 * the token logs nobody in any more. Whoever added users meant the server to need accounts; a
 * token login surviving that until a restart would be a way around them.
 */
export class ServerLogins {
  private now: Logins | AccountLogins;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<boolean> | undefined;

  constructor(
    private readonly accounts: Accounts,
    start: TokenLogins | AccountLogins,
    private readonly onSwitch: (ended: number) => void = () => {},
  ) {
    this.now = start;
  }

  /** The logins in force now (read per request: it changes once, from token to accounts). */
  get current(): Logins | AccountLogins {
    return this.now;
  }

  /** Turns to accounts if the store has a user now; true when in accounts mode (after the check). */
  check(): Promise<boolean> {
    if (this.now.mode === 'accounts') return Promise.resolve(true);
    this.checking ??= this.accounts
      .countUsers()
      .then(({ users }) => {
        if (users > 0 && this.now instanceof TokenLogins) {
          const token = this.now;
          this.now = new AccountLogins(this.accounts);
          this.stop();
          this.onSwitch(token.logoutAll());
        }
        return this.now.mode === 'accounts';
      })
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** Checks every `pollMs` until accounts mode (no timer in accounts mode); `onError` gets a failed check. */
  watch(pollMs: number, onError: (error: unknown) => void): void {
    if (this.now.mode === 'accounts' || this.timer) return;
    this.timer = setInterval(() => void this.check().catch(onError), pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
