/**
 * Who may read a stored secret: the decision, with no I/O. A stored secret may be granted to
 * workspace paths (a folder `reports/`, or one notebook `reports/q1.nb.md`) and to users (by
 * account id). The rule:
 *
 * - a secret with no grants is open to every run of the workspace (as before grants existed);
 * - once it has grants, a run reads it only if its notebook is covered by a path grant (when the
 *   secret has path grants) AND its user is covered by a user grant (when it has user grants).
 *
 * A run's user (`RunUser`) is decided at the edge that starts it: `quire run` on the host is the
 * host owner, who holds the master key and could open every value anyway, so no user grant
 * restricts it; a queued run is its owner's; an editor session's kernel is shared by everyone
 * who opens the notebook, so it has no single user and a user-granted secret is refused there.
 * Path grants apply to all of them.
 *
 * Must not: see a value. A refusal names the secret and the check that failed, never a value.
 */
import { posix } from 'node:path';

export type GrantKind = 'path' | 'user';

/** One grant: a workspace path (a folder ends with "/") or an account id. */
export interface SecretGrant {
  kind: GrantKind;
  /** the normalized path (grantPath), or the account's id */
  subject: string;
}

/** Who a run reads secrets as. */
export type RunUser =
  /** a run started on the host by whoever runs quire there: user grants do not restrict it */
  | { kind: 'host' }
  /** a run on behalf of an account (a queued run's owner) */
  | { kind: 'account'; id: string; name?: string | undefined }
  /** a run with no single user (an editor session, an unowned queued run): `why` says so */
  | { kind: 'nobody'; why: string };

export const HOST_USER: RunUser = { kind: 'host' };

/** What a secret's grants are checked against. */
export interface SecretScope {
  /** the notebook's path relative to the workspace; undefined when the run has none */
  notebookPath: string | undefined;
  /**
   * who the run is; undefined: the source's own default (store-source.ts: the host owner for a
   * command on the host, nobody for a server's or worker's source)
   */
  user?: RunUser | undefined;
}

/** A grant path that cannot be one: absolute, leaving the workspace, empty. */
export class GrantPathError extends Error {
  override readonly name = 'SecretError';
}

/**
 * A grant path as stored: workspace-relative with "/" separators, no "." or ".." segment left, a
 * folder keeping its trailing "/". Refuses what could never name a notebook of the workspace.
 */
export function grantPath(text: string): string {
  const slashed = text.trim().replace(/\\/g, '/');
  const folder = slashed.endsWith('/');
  const normal = posix.normalize(slashed.replace(/^\.\//, ''));
  if (
    slashed === '' ||
    slashed.startsWith('/') ||
    /^[A-Za-z]:/.test(slashed) ||
    normal === '.' ||
    normal === './' ||
    normal === '..' ||
    normal.startsWith('../')
  )
    throw new GrantPathError(
      `a grant path is a folder ("reports/") or a notebook ("reports/q1.nb.md") inside the workspace; got ${JSON.stringify(text)}`,
    );
  const bare = normal.replace(/\/+$/, '');
  return folder ? `${bare}/` : bare;
}

/**
 * The notebook path a run is checked with, or undefined when it names no file of the workspace
 * (outside it, absolute, stdin): such a run is covered by no path grant.
 */
export function runNotebookPath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const slashed = path.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return undefined;
  const normal = posix.normalize(slashed);
  if (normal === '.' || normal === '..' || normal.startsWith('../') || normal.endsWith('/')) return undefined;
  return normal;
}

/** Whether the grant path covers the notebook: the notebook itself, or a folder it is under. */
export function pathCovers(grant: string, notebookPath: string): boolean {
  return grant.endsWith('/') ? notebookPath.startsWith(grant) : notebookPath === grant;
}

export type ReadDecision = { allowed: true } | { allowed: false; reason: string };

/** Whether a run in `scope` may read the secret `name` that has `grants`. */
export function decideRead(
  name: string,
  grants: readonly SecretGrant[],
  scope: SecretScope & { user: RunUser },
): ReadDecision {
  if (grants.length === 0) return { allowed: true };
  const paths = grants.filter((g) => g.kind === 'path').map((g) => g.subject);
  const users = grants.filter((g) => g.kind === 'user').map((g) => g.subject);
  if (paths.length > 0) {
    const notebook = runNotebookPath(scope.notebookPath);
    const shown = paths.join(', ');
    if (notebook === undefined)
      return {
        allowed: false,
        reason: `secret "${name}" is granted to notebooks under ${shown} only, and this run's notebook is not a file of the workspace`,
      };
    if (!paths.some((p) => pathCovers(p, notebook)))
      return {
        allowed: false,
        reason: `secret "${name}" is not granted to notebook ${notebook} (it is granted to ${shown})`,
      };
  }
  if (users.length > 0) {
    const user = scope.user;
    // The user names granted are not listed: who may read a secret is not every reader's business.
    if (user.kind === 'nobody')
      return { allowed: false, reason: `secret "${name}" is granted to certain users only, and ${user.why}` };
    if (user.kind === 'account' && !users.includes(user.id))
      return {
        allowed: false,
        reason: `secret "${name}" is not granted to user ${user.name ?? user.id}`,
      };
  }
  return { allowed: true };
}

/**
 * Why revoking `grant` from `grants` would open the secret wider than before, or undefined when
 * it would not: removing the last path grant lets every notebook read it, the last user grant
 * every user. A revocation should never grant, so this needs saying (`--widen`) before it is done.
 */
export function widening(grants: readonly SecretGrant[], grant: SecretGrant): string | undefined {
  const sameKind = grants.filter((g) => g.kind === grant.kind);
  if (sameKind.length !== 1 || sameKind[0]!.subject !== grant.subject) return undefined;
  if (grants.length === 1)
    return `it is the secret's last grant: without grants every run of the workspace may read it`;
  const who = grant.kind === 'path' ? 'every notebook' : 'every user';
  return `it is the secret's last ${grant.kind} grant: ${who} would then pass that check`;
}
