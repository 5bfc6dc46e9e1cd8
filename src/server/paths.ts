/**
 * Confinement of request paths to the workspace (issue 3, security baseline). Every path that
 * comes from a client goes through `resolveInWorkspace` before any file is touched. It owns only
 * the path rules; which files the API may serve (notebooks only) is workspace-files' business.
 *
 * A requested path is workspace-relative POSIX (`reports/q1.nb.md`). Refused: empty, absolute
 * (`/x`, `C:x`), backslashes, NUL, `.`/`..`/empty segments, percent-encoded dots, slashes,
 * backslashes and NUL left after the router's one decoding (`%2e`, `%2f`, `%5c`, `%00`: a second
 * decoding somewhere else must not turn them into a traversal), and any path whose real location
 * (for a new file: its nearest existing ancestor's) is outside the workspace's real location.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

export type PathErrorReason = 'invalid' | 'outside';

/** A client path that may not be used: `invalid` (syntax) or `outside` (escapes the workspace). */
export class PathError extends Error {
  override readonly name = 'PathError';
  constructor(
    /** the path as the client sent it */
    readonly path: string,
    readonly reason: PathErrorReason,
    detail: string,
  ) {
    super(`path ${JSON.stringify(path)} is refused: ${detail}`);
  }
}

/** A path inside the workspace. */
export interface WorkspacePath {
  /** workspace-relative, POSIX separators, as validated */
  relative: string;
  /** absolute, with every existing symlink resolved; the file itself may not exist yet */
  absolute: string;
}

const ENCODED = /%(2e|2f|5c|00)/i;

function checkSyntax(requested: string): string[] {
  const refuse = (detail: string): never => {
    throw new PathError(requested, 'invalid', detail);
  };
  if (requested.length === 0) refuse('it is empty');
  if (requested.includes('\0')) refuse('it contains a NUL byte');
  if (requested.includes('\\')) refuse('it contains a backslash');
  if (ENCODED.test(requested)) refuse('it contains a percent-encoded dot, slash, backslash or NUL');
  if (requested.startsWith('/') || /^[a-zA-Z]:/.test(requested)) refuse('it is absolute');
  const segments = requested.split('/');
  for (const segment of segments) {
    if (segment === '..') refuse('it contains a ".." segment');
    if (segment === '.' || segment === '') refuse('it contains an empty or "." segment');
  }
  return segments;
}

const isInside = (root: string, candidate: string): boolean =>
  candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);

/** The real path of `path`, or of its nearest existing ancestor joined with the missing rest. */
function realLocation(requested: string, path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // A dangling symlink: realpath fails, yet writing through it would create its target.
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    // does not exist at all: a new file
  }
  if (isLink) throw new PathError(requested, 'outside', 'it is a symlink to a missing target');
  const parent = dirname(path);
  if (parent === path) return path;
  return join(realLocation(requested, parent), basename(path));
}

/**
 * Resolves a client-supplied path inside `workspace` (which must exist), or throws PathError.
 * The check runs at call time: callers re-resolve per request, never cache the result.
 */
export function resolveInWorkspace(workspace: string, requested: string): WorkspacePath {
  const segments = checkSyntax(requested);
  const root = realpathSync(workspace);
  const absolute = realLocation(requested, join(root, ...segments));
  if (!isInside(root, absolute) || relative(root, absolute) === '') {
    throw new PathError(requested, 'outside', 'it leaves the workspace');
  }
  return { relative: segments.join('/'), absolute };
}
