/**
 * Grants, groups and read-only notebooks: the decision (pure; no I/O). `decideAccess(rules,
 * account, action, resource)` is what `authorize` asks in accounts mode; the rules are a snapshot
 * of the store's `grants`, `user_groups` and `notebook_locks` (grants-store.ts loads them,
 * grants-snapshot.ts keeps them fresh on a server).
 *
 * The model (docs/decisions.md, "Grants per folder and per notebook"):
 * - A grant gives a subject (a user, a group, everyone) a level (read | run | edit) on a path:
 *   '' is the workspace, 'folder/' a folder and all under it, 'a/b.nb.md' one notebook.
 * - A notebook path no grant covers is open: the role baseline (roles.ts) applies, so a workspace
 *   without grants behaves as it did before grants. A path some grant covers is restricted: the
 *   account's level there is the highest of the covering grants whose subject includes it, none
 *   means no access at all (not even read; listings hide it). Grants only narrow: what the account
 *   may do is what min(role, level) allows (read ~ viewer, run ~ runner, edit ~ editor), narrowed
 *   again by a token's scope.
 * - Admins are not narrowed by grants (they manage them), only by a token's scope.
 * - A locked notebook refuses `notebook:edit` to everyone, admins included, until unlocked; it can
 *   still be read and run ("may run" is not "may edit").
 * - `run:read` on a run follows the run's notebook; on the workspace (the full listing) the role
 *   baseline decides and the listing narrows its items one by one.
 */
import {
  actionsOf,
  authorizeByRole,
  rankOf,
  ROLES,
  type Role,
  type RoleAction,
  type Scope,
} from './roles.js';

export const LEVELS = ['read', 'run', 'edit'] as const;
export type GrantLevel = (typeof LEVELS)[number];

export const isLevel = (text: string): text is GrantLevel => (LEVELS as readonly string[]).includes(text);

/** Who a grant is for. */
export type GrantSubject =
  { kind: 'user'; id: string } | { kind: 'group'; name: string } | { kind: 'everyone' };

export interface Grant {
  id: string;
  subject: GrantSubject;
  /** '' (the workspace), 'folder/' (a folder and everything under it) or 'a/b.nb.md' (one notebook) */
  path: string;
  level: GrantLevel;
  createdBy: string | null;
  createdAt: number;
}

export interface NotebookLock {
  path: string;
  lockedBy: string | null;
  lockedAt: number;
  reason: string | null;
}

/** The rules `decideAccess` reads, indexed for a lookup per path segment. */
export interface AccessRules {
  /** grants by their path */
  byPath: ReadonlyMap<string, readonly Grant[]>;
  /** each user's groups, by user id */
  groups: ReadonlyMap<string, ReadonlySet<string>>;
  /** locked notebook paths */
  locked: ReadonlyMap<string, NotebookLock>;
  /**
   * Each account's role and state as the store had them at this load (grants-store.ts): what a
   * running kernel may read follows a role change or a disabled account within one reload
   * (file-access.ts), where the principal in hand may be as old as the session that holds it.
   */
  accounts?: ReadonlyMap<string, { role: Role; disabled: boolean }>;
  /**
   * The snapshot could not be refreshed for too long (the store is unreachable): every decision
   * is a refusal rather than one made on rules that may have been revoked since.
   */
  stale?: boolean;
}

export const NO_RULES: AccessRules = { byPath: new Map(), groups: new Map(), locked: new Map() };

/** Rules from the rows of the three tables. */
export function accessRules(
  grants: readonly Grant[],
  memberships: readonly { userId: string; group: string }[],
  locks: readonly NotebookLock[],
): AccessRules {
  const byPath = new Map<string, Grant[]>();
  for (const grant of grants) {
    const list = byPath.get(grant.path);
    if (list) list.push(grant);
    else byPath.set(grant.path, [grant]);
  }
  const groups = new Map<string, Set<string>>();
  for (const { userId, group } of memberships) {
    const set = groups.get(userId);
    if (set) set.add(group);
    else groups.set(userId, new Set([group]));
  }
  return { byPath, groups, locked: new Map(locks.map((lock) => [lock.path, lock])) };
}

/** The paths whose grants cover a notebook path: '', each enclosing folder ('a/', 'a/b/'), itself. */
export function coveringPaths(path: string): string[] {
  const paths = [''];
  for (let at = path.indexOf('/'); at >= 0; at = path.indexOf('/', at + 1)) paths.push(path.slice(0, at + 1));
  paths.push(path);
  return paths;
}

/** Who is asking, as the decision needs it: the account, its role, a token's scope. */
export interface Principal {
  id: string;
  role?: Role | undefined;
  scope?: Scope | undefined;
}

const includes = (subject: GrantSubject, userId: string, groups: ReadonlySet<string> | undefined): boolean =>
  subject.kind === 'everyone' ||
  (subject.kind === 'user' ? subject.id === userId : groups?.has(subject.name) === true);

/**
 * The account's level on a notebook path: `open` when no grant covers it, else the highest level
 * among the covering grants that include the account, or `none`.
 */
export function levelOn(rules: AccessRules, userId: string, path: string): GrantLevel | 'open' | 'none' {
  let covered = false;
  let best = -1;
  const groups = rules.groups.get(userId);
  for (const at of coveringPaths(path)) {
    const grants = rules.byPath.get(at);
    if (!grants) continue;
    covered = true;
    for (const grant of grants) {
      if (!includes(grant.subject, userId, groups)) continue;
      best = Math.max(best, LEVELS.indexOf(grant.level));
    }
  }
  if (!covered) return 'open';
  return best < 0 ? 'none' : LEVELS[best]!;
}

/** The role a level stands for: read ~ viewer, run ~ runner, edit ~ editor. */
const LEVEL_ROLE: Record<GrantLevel, Role> = { read: 'viewer', run: 'runner', edit: 'editor' };

/** The notebook a resource is about, if any (a run's when its notebook is known). */
function notebookPath(resource: AccessResource): string | undefined {
  if (resource.kind === 'notebook') return resource.path;
  if (resource.kind === 'run') return resource.path;
  return undefined;
}

/** The server's `Resource` (src/server/auth.ts), repeated here because the server sits above. */
export type AccessResource =
  | { kind: 'server' }
  | { kind: 'workspace' }
  | { kind: 'notebook'; path: string }
  | { kind: 'run'; id: string; path?: string };

/** The decision for an account (the role baseline, grants, locks). */
export function decideAccess(
  rules: AccessRules,
  who: Principal,
  action: RoleAction,
  resource: AccessResource,
): boolean {
  if (rules.stale || who.role === undefined) return false;
  const path = notebookPath(resource);
  if (path !== undefined && action === 'notebook:edit' && rules.locked.has(path)) return false;
  if (path === undefined || who.role === 'admin') return authorizeByRole(who.role, action, who.scope);
  const level = levelOn(rules, who.id, path);
  if (level === 'open') return authorizeByRole(who.role, action, who.scope);
  if (level === 'none') return false;
  const capped = ROLES[Math.min(rankOf(who.role), rankOf(LEVEL_ROLE[level]))]!;
  return actionsOf(capped).has(action) && (who.scope === undefined || actionsOf(who.scope).has(action));
}

/** What an account may do on one notebook, for the UI: read it, run it, edit it; whether it is locked. */
export interface NotebookAccess {
  read: boolean;
  execute: boolean;
  edit: boolean;
  locked: boolean;
}

export function accessOn(rules: AccessRules, who: Principal, path: string): NotebookAccess {
  const on = { kind: 'notebook', path } as const;
  return {
    read: decideAccess(rules, who, 'notebook:read', on),
    execute: decideAccess(rules, who, 'notebook:execute', on),
    edit: decideAccess(rules, who, 'notebook:edit', on),
    locked: rules.locked.has(path),
  };
}
