/**
 * What of the workspace an account's kernels may read (pure): the same grants that decide which
 * notebooks the server shows them (grants.ts) decide which files their cells can open. A kernel
 * that could `readFileSync` a folder its user was not granted would make the grant a listing
 * filter, not a boundary.
 *
 * The answer is the smallest set of boundaries: `ungranted` paths (the account may read nothing
 * there) and `shown` paths inside them (a notebook or folder granted inside one that is not).
 * Between two grant paths nothing changes (a file's level is its nearest covering grants'), so
 * visibility can only flip at a grant path: each is compared with its nearest enclosing one.
 * Paths are workspace paths as grants store them: '' the workspace, 'folder/' a folder, 'a/b.nb.md'
 * a file; the kernel's host resolves them and mounts (or allows) accordingly.
 *
 * Admins are not narrowed by grants, nor is the single-user owner (no role). The role is the one
 * the rules were loaded with, when they carry the accounts. Stale rules (the store unreachable for
 * too long) hide the whole workspace: fail closed, as every decision does.
 */
import { levelOn, type AccessRules, type Principal } from './grants.js';

export interface FileAccess {
  /** workspace paths the account may read nothing under ('' = the whole workspace) */
  ungranted: string[];
  /** workspace paths inside hidden ones that the account may read again */
  shown: string[];
}

export const ALL_FILES: FileAccess = { ungranted: [], shown: [] };

/** The nearest grant path that encloses `path` (a folder path, strictly), or undefined (the workspace default). */
function enclosing(path: string, paths: ReadonlySet<string>): string | undefined {
  const end = path.endsWith('/') ? path.length - 1 : path.length;
  for (let at = path.lastIndexOf('/', end - 1); at >= 0; at = path.lastIndexOf('/', at - 1)) {
    const folder = path.slice(0, at + 1);
    if (paths.has(folder)) return folder;
  }
  return path !== '' && paths.has('') ? '' : undefined;
}

export function fileAccessOf(rules: AccessRules, who: Principal): FileAccess {
  if (rules.stale) return { ungranted: [''], shown: [] };
  if (who.role === undefined) return ALL_FILES;
  // The role the store has now (a session's principal may predate a change); an account gone or
  // disabled since reads nothing.
  const now = rules.accounts ? rules.accounts.get(who.id) : { role: who.role, disabled: false };
  if (!now || now.disabled) return { ungranted: [''], shown: [] };
  if (now.role === 'admin') return ALL_FILES;
  const paths = new Set(rules.byPath.keys());
  if (paths.size === 0) return ALL_FILES;
  const visible = new Map<string, boolean>();
  const visibleAt = (path: string | undefined): boolean => {
    if (path === undefined) return true; // no grant covers it: open
    let known = visible.get(path);
    if (known === undefined) visible.set(path, (known = levelOn(rules, who.id, path) !== 'none'));
    return known;
  };
  const ungranted: string[] = [];
  const shown: string[] = [];
  // Sorted so that the output is stable (a session compares it with its kernel's to see a change).
  for (const path of [...paths].sort()) {
    const here = visibleAt(path);
    if (here === visibleAt(enclosing(path, paths))) continue;
    (here ? shown : ungranted).push(path);
  }
  return { ungranted, shown };
}

/** Two answers the same (a kernel started with one does not need a restart for the other). */
export const sameFileAccess = (a: FileAccess, b: FileAccess): boolean =>
  JSON.stringify([a.ungranted, a.shown]) === JSON.stringify([b.ungranted, b.shown]);

/**
 * `fileAccessOf` remembered per rules snapshot and principal: the sessions of one user ask the
 * same question after each reload of the rules (a new snapshot object forgets the answers).
 */
export function memoPerRules(
  of: (rules: AccessRules, who: Principal) => FileAccess,
): (rules: AccessRules, who: Principal) => FileAccess {
  let current: AccessRules | undefined;
  const answers = new Map<string, FileAccess>();
  return (rules, who) => {
    if (rules !== current) {
      current = rules;
      answers.clear();
    }
    const key = `${who.id}\0${who.role ?? ''}`;
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = of(rules, who)));
    return answer;
  };
}
