/**
 * The security baseline of `quire serve` (issue 3): a login token, session cookies, the Origin
 * check, and the vocabulary of the one authorization decision, `authorize(user, action, resource)`.
 * The gate (gate.ts) is its only caller, for every route and command of the access table
 * (access.ts). This is single-user mode; once the run store has users the server runs in
 * accounts mode instead (account-logins.ts over src/auth/, `authorizeByAccount`: roles, grants
 * per folder and per notebook, locks).
 *
 * - The login token is random per server start and valid for the server's lifetime (like Jupyter's),
 *   so the printed URL can be opened in more than one browser. `/login?token=` exchanges it for a
 *   session cookie; the token itself never goes into a cookie.
 * - The session cookie is HttpOnly (no script reads it), SameSite=Strict (no cross-site request
 *   carries it), Path=/; its value is a random id mapped to the user in memory, so a restart logs
 *   everyone out. Its name carries the port: cookies are not port-scoped, and two servers on one
 *   host must not overwrite each other's session. `POST /api/logout` ends one login: the id is
 *   forgotten (the cookie stops working) and its open WebSocket connections are closed.
 * - A state-changing request (anything but GET/HEAD/OPTIONS) with an Origin header must come from
 *   one of the server's own origins; a foreign Origin is refused with 403. The allowed origins are
 *   fixed at start from the bound address, never taken from the request's Host header (a DNS
 *   rebinding page would control that). The match is exact (a Set of serialized origins): no prefix,
 *   no pattern, so `http://127.0.0.1:PORT.evil.com` or another port is foreign.
 * - Every request's Host header must name the server (`checkHost`): a DNS rebinding page (its own
 *   name, resolved to 127.0.0.1) is same-origin with itself and sends no foreign Origin, but its
 *   Host is its own name, which is not ours.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { decideAccess, NO_RULES, type AccessRules, type NotebookAccess } from '../auth/grants.js';
import type { Role, RoleAction, Scope } from '../auth/roles.js';

export type { NotebookAccess } from '../auth/grants.js';

/** Who is making a request. The baseline has one user: whoever holds the login token. */
export interface User {
  id: string;
  name: string;
  /** accounts mode: the user's role (the single-user owner has none) */
  role?: Role;
  /** accounts mode, a request made with an API token: the token's scope */
  scope?: Scope;
}

/**
 * What a request wants to do; RBAC maps roles to these. Editing and executing are apart: a viewer
 * who may run a notebook with other params need not be allowed to change its text.
 */
export type Action =
  /** read a notebook's text, outputs and tables; list the notebooks */
  | 'notebook:read'
  /** change a notebook: its cells, its text on disk */
  | 'notebook:edit'
  /** run code in it: a cell, run all, stale cells, interrupt, params, a queued run */
  | 'notebook:execute'
  /** read the run history and a run's record and report */
  | 'run:read'
  /** create, change and remove schedules */
  | 'schedule:manage'
  /** the server itself: metrics, users */
  | 'admin';

export const ACTIONS: readonly Action[] = [
  'notebook:read',
  'notebook:edit',
  'notebook:execute',
  'run:read',
  'schedule:manage',
  'admin',
];

/**
 * What an action is on. A notebook is named by its workspace-relative path (after the path
 * rules), so a grant on a folder can match it by prefix; a run by its id, with its notebook's
 * path when the caller knows it (a listing does).
 */
export type Resource =
  | { kind: 'server' }
  | { kind: 'workspace' }
  | { kind: 'notebook'; path: string }
  | { kind: 'run'; id: string; path?: string };

/**
 * The one authorization decision: may `user` do `action` on `resource`? Synchronous: it runs on
 * every request and on every item of a listing. One backed by the store's rules also says which
 * notebooks are locked (read-only), for `accessOn`.
 */
export type Authorize = ((user: User, action: Action, resource: Resource) => boolean) & {
  locked?: (path: string) => boolean;
};

/** Baseline: whoever logged in with the token owns the workspace (no store: nothing is locked). */
export const authorizeOwner: Authorize = () => true;

/** Maps a notebook path to the one spelling grants and locks are kept under (its real path). */
export type CanonicalPath = (path: string) => string;

const asIs: CanonicalPath = (path) => path;

/**
 * `canonical` with its answers kept until `clear()` (the server clears it at each reload of the
 * rules, once a second): the real-path lookup costs file system calls, a hit costs a map lookup.
 * At most `max` paths are kept; past that the memory starts over.
 */
export function cachedCanonical(canonical: CanonicalPath, max = 10_000): CanonicalPath & { clear(): void } {
  const known = new Map<string, string>();
  const cached = (path: string): string => {
    let found = known.get(path);
    if (found === undefined) {
      if (known.size >= max) known.clear();
      found = canonical(path);
      known.set(path, found);
    }
    return found;
  };
  return Object.assign(cached, { clear: () => known.clear() });
}

/**
 * A resource's notebook path in its canonical spelling. Only when there are rules to match: a
 * workspace without grants or locks pays nothing for it.
 */
function canonicalResource(resource: Resource, rules: AccessRules, canonical: CanonicalPath): Resource {
  if (rules.byPath.size === 0 && rules.locked.size === 0) return resource;
  if (resource.kind === 'notebook') return { kind: 'notebook', path: canonical(resource.path) };
  if (resource.kind === 'run' && resource.path !== undefined)
    return { kind: 'run', id: resource.id, path: canonical(resource.path) };
  return resource;
}

/**
 * Single-user mode with the store's locks: the owner may do everything, except edit a locked
 * notebook (a lock is a promise to everyone, the owner included, until it is lifted).
 */
export function authorizeOwnerWith(rules: () => AccessRules, canonical: CanonicalPath = asIs): Authorize {
  const owner = { id: OWNER.id, role: 'admin' as const };
  const authorize: Authorize = (_user, action, resource) => {
    const current = rules();
    return decideAccess(current, owner, action, canonicalResource(resource, current, canonical));
  };
  authorize.locked = (path) => rules().locked.has(canonical(path));
  return authorize;
}

/**
 * Accounts mode: the role baseline (src/auth/roles.ts) narrowed by grants per folder and per
 * notebook and by a token's scope, and locks (src/auth/grants.ts has the model). `rules` is the
 * server's snapshot of the store's grants, groups and locks. A user without a role may do nothing.
 */
export function authorizeByAccount(
  rules: () => AccessRules = () => NO_RULES,
  canonical: CanonicalPath = asIs,
): Authorize {
  const authorize: Authorize = (user, action, resource) => {
    const current = rules();
    return decideAccess(current, user, action, canonicalResource(resource, current, canonical));
  };
  authorize.locked = (path) => rules().locked.has(canonical(path));
  return authorize;
}

/**
 * What `user` may do on the notebook at `path`, for the UI (the viewer's "app view"): read it, run
 * it, edit it, and whether it is locked. Asked through `authorize`, so it says what the gate does.
 */
export function accessOn(authorize: Authorize, user: User, path: string): NotebookAccess {
  const on: Resource = { kind: 'notebook', path };
  return {
    read: authorize(user, 'notebook:read', on),
    execute: authorize(user, 'notebook:execute', on),
    edit: authorize(user, 'notebook:edit', on),
    locked: authorize.locked?.(path) ?? false,
  };
}

/** The role baseline names these same actions (src/auth/ sits below the server): kept equal. */
export const ACTIONS_AGREE: [Action] extends [RoleAction]
  ? [RoleAction] extends [Action]
    ? true
    : never
  : never = true;

export const OWNER: User = { id: 'owner', name: 'owner' };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const randomToken = (): string => randomBytes(32).toString('base64url');

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The login token and the logged-in browsers (their session cookies) of one server. */
export class Logins {
  /** single-user mode (account-logins.ts is the other) */
  readonly mode = 'token' as const;
  readonly token: string;
  private readonly byId = new Map<string, User>();
  private readonly listeners = new Set<(sessionId: string) => void>();

  constructor(token: string = randomToken()) {
    this.token = token;
  }

  /** A new session id for a valid token, or undefined. */
  login(token: string | undefined): string | undefined {
    if (token === undefined || !sameSecret(token, this.token)) return undefined;
    const id = randomToken();
    this.byId.set(id, OWNER);
    return id;
  }

  userOf(sessionId: string | undefined): User | undefined {
    return sessionId === undefined ? undefined : this.byId.get(sessionId);
  }

  /** Ends a login (its cookie stops working); true when there was one. Listeners are told. */
  logout(sessionId: string | undefined): boolean {
    if (sessionId === undefined || !this.byId.delete(sessionId)) return false;
    for (const listener of this.listeners) listener(sessionId);
    return true;
  }

  /** Calls `listener` with the id of each login that ends (the WebSocket closes its connections). */
  onLogout(listener: (sessionId: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

/** The cookie that carries the session id for a server on `port`. */
export const sessionCookieName = (port: number): string => `quire_session_${port}`;

/**
 * The origins a browser uses to reach a server bound to `host:port`. A loopback server is
 * reachable as 127.0.0.1, localhost and [::1]; others by the bound host and any `extra` origins
 * (a reverse proxy's public origin, given by configuration).
 */
export function ownOrigins(host: string, port: number, extra: string[] = []): Set<string> {
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]'];
  const hosts = loopback.includes(host)
    ? ['127.0.0.1', 'localhost', '[::1]']
    : [host.includes(':') ? `[${host}]` : host];
  return new Set([...hosts.map((h) => `http://${h}:${port}`), ...extra]);
}

/**
 * The Origin rule for one request: null when allowed, else the reason it is refused. A request
 * without Origin is not from a cross-site browser context and passes, except a WebSocket upgrade
 * (`webSocket: true`): browsers always send Origin there, and an upgrade is a GET that changes
 * state, so it must carry one of ours.
 *
 * `Origin: null` is what Chromium sends for our own login form's POST, since the pages'
 * `Referrer-Policy: no-referrer` hides the origin too. Such a request passes only with
 * `Sec-Fetch-Site: same-origin`: a header the browser sets itself (no page can), which says the
 * request came from one of our own pages. Any other `null` (a sandboxed frame, a data: URL, a
 * cross-site form) is refused.
 */
export function checkOrigin(
  request: {
    method: string;
    origin: string | undefined;
    webSocket?: boolean;
    fetchSite?: string | undefined;
  },
  allowed: Set<string>,
): string | null {
  const { method, origin, webSocket = false } = request;
  if (!webSocket && SAFE_METHODS.has(method.toUpperCase())) return null;
  if (origin === undefined && !webSocket) return null;
  if (origin !== undefined && allowed.has(origin)) return null;
  if (origin === 'null' && !webSocket && request.fetchSite === 'same-origin') return null;
  return `requests from origin ${JSON.stringify(origin ?? '(none)')} are not allowed`;
}

/** The host of a URL origin, and the same with the scheme's default port written out. */
function hostsOf(origin: string): string[] {
  try {
    const url = new URL(origin);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return [url.host, `${url.hostname}:${port}`];
  } catch {
    return [];
  }
}

/** An IP literal as a Host names it (`10.0.0.5:8080`, `[::1]:8080`): no DNS name, nothing to rebind. */
const IP_HOST = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])(?::\d+)?$/i;

/**
 * The Host rule for one request: null when the Host names this server, else the reason it is
 * refused (DNS rebinding). The names are the hosts of the allowed origins, exactly. A server bound
 * to every address (0.0.0.0, ::) cannot list its names: it also accepts any IP literal, and
 * names a reverse proxy gives it as `origins`. A request without Host (HTTP/1.0, or not from a
 * socket) passes: every browser sends one.
 */
export function checkHost(host: string | undefined, allowed: Set<string>): string | null {
  if (host === undefined) return null;
  const given = host.toLowerCase();
  const names = new Set([...allowed].flatMap(hostsOf));
  if (names.has(given)) return null;
  const wildcard = [...names].some((name) => /^(?:0\.0\.0\.0|\[::\])(?::|$)/.test(name));
  if (wildcard && IP_HOST.test(given)) return null;
  return `requests for host ${JSON.stringify(host)} are not allowed: it does not name this server`;
}
