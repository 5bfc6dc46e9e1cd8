/**
 * Roles and token scopes, and the role baseline: which of the server's actions each role may do
 * anywhere in the workspace. Grants per folder and per notebook (grants.ts) narrow it where they
 * apply; where none does, the baseline is the whole rule for an account.
 *
 * The four roles and the four scopes are one ladder: viewer ~ read, runner ~ run, editor ~ edit,
 * admin ~ admin. A token's scope may not exceed its user's role, and what a token may do is what
 * both its scope and its user's role allow (a user demoted later takes their tokens down too).
 *
 * The action names are the server's (`Action` in src/server/auth.ts); they are repeated here
 * because the server sits above this layer.
 */

export const ROLES = ['viewer', 'runner', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['read', 'run', 'edit', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** The server's actions (src/server/auth.ts `Action`). */
export type RoleAction =
  'notebook:read' | 'notebook:edit' | 'notebook:execute' | 'run:read' | 'schedule:manage' | 'admin';

/** What each rung of the ladder adds to the one below. */
const LADDER: readonly (readonly RoleAction[])[] = [
  /* viewer / read */ ['notebook:read', 'run:read'],
  /* runner / run */ ['notebook:execute'],
  /* editor / edit */ ['notebook:edit', 'schedule:manage'],
  /* admin */ ['admin'],
];

/** A role's or a scope's rung on the ladder: 0 (viewer, read) to 3 (admin). */
export const rankOf = (level: Role | Scope): number => {
  const r = (ROLES as readonly string[]).indexOf(level);
  return r >= 0 ? r : (SCOPES as readonly string[]).indexOf(level);
};

/** The actions of each rung and all below it, made once: `authorize` asks on every request. */
const BY_RANK: readonly ReadonlySet<RoleAction>[] = LADDER.map(
  (_, r) => new Set(LADDER.slice(0, r + 1).flat()),
);
const NONE: ReadonlySet<RoleAction> = new Set();

/** Every action a role (or a scope) allows. */
export const actionsOf = (level: Role | Scope): ReadonlySet<RoleAction> => BY_RANK[rankOf(level)] ?? NONE;

export const isRole = (text: string): text is Role => (ROLES as readonly string[]).includes(text);
export const isScope = (text: string): text is Scope => (SCOPES as readonly string[]).includes(text);

/** Whether a user with `role` may hold a token of `scope`. */
export const scopeWithinRole = (scope: Scope, role: Role): boolean => rankOf(scope) <= rankOf(role);

/**
 * The role baseline: may an account with `role` (through a token of `scope`, when it came with
 * one) do `action`? Resources do not matter here: a role applies to the whole workspace
 * (grants.ts narrows it per path).
 */
export function authorizeByRole(role: Role, action: RoleAction, scope?: Scope): boolean {
  if (!actionsOf(role).has(action)) return false;
  return scope === undefined || actionsOf(scope).has(action);
}
