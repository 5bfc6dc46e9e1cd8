/**
 * The folders and files a kernel may open, as an allow-list: the scratch folder, and the workspace
 * without its hidden paths (the run store `.quire/`, `.git/`, and what the kernel's user was not
 * granted), with the paths shown again inside those (a notebook granted inside a folder that is
 * not). DuckDB has only allow-lists (prefixes in `allowed_directories`, exact files in
 * `allowed_paths`), and so has Node's permission model (what a kernel without an OS sandbox may
 * read, kernel/file-view.ts); both resolve symlinks before comparing. So a workspace with hidden
 * paths is allowed entry by entry: every entry of the workspace root that is visible, splitting
 * again inside any folder that holds a hidden or shown path deeper down. An entry that is a
 * symlink into a hidden path (or to a folder holding one), or out of the workspace, is left out.
 *
 * Visibility: the nearest enclosing hidden or shown path decides; none means visible.
 *
 * The list is taken once, when the kernel starts or DuckDB opens: an entry created later in a split
 * folder (the workspace root, when anything in it is hidden) is not readable until the kernel
 * restarts (files created later inside an allowed folder are), and a glob directly at a split
 * folder (`'*.csv'` at the root) is refused because the folder itself is not allowed.
 *
 * Folders are listed with Node, or, where Node's permission model refuses (Node 20 will not list a
 * folder when a path inside it is allowed on its own, as quire's own package is when it is installed
 * in the workspace), with DuckDB's glob before the lockdown.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { quoteLiteral } from './sql-quote.js';

export interface AllowList {
  /** real paths of folders, each with a trailing separator (so `/a` does not also allow `/ab`) */
  directories: string[];
  /** real paths of single files (entries of a split folder) */
  files: string[];
}

/** The names in a folder (none when it cannot be listed: then nothing in it is allowed). */
export type Lister = (dir: string) => Promise<string[]>;

export interface AllowInput {
  /** absolute paths inside the workspace nothing under which may be opened ('' resolved: the workspace itself) */
  hidden?: readonly string[];
  /** absolute paths inside hidden ones that may be opened again */
  shown?: readonly string[];
  list?: Lister;
}

interface Boundary {
  path: string;
  visible: boolean;
}

export async function allowList(
  workspace: string,
  scratch: string,
  input: AllowInput = {},
): Promise<AllowList> {
  const root = fs.realpathSync(workspace);
  const scratchDir = fs.realpathSync(scratch);
  const listNames = input.list ?? nodeList;
  // Both spellings of each path: as given and its real path (a hidden folder reached by a symlink).
  const spelled = (paths: readonly string[] = []): string[] =>
    [...new Set(paths.flatMap((p) => [path.resolve(p), realOrUndefined(p) ?? path.resolve(p)]))].filter((p) =>
      isInside(p, root),
    );
  const boundaries: Boundary[] = [
    ...spelled(input.hidden).map((p) => ({ path: p, visible: false })),
    ...spelled(input.shown).map((p) => ({ path: p, visible: true })),
  ];
  const list: AllowList = { directories: [withSlash(scratchDir)], files: [] };
  if (boundaries.every((b) => b.visible)) {
    list.directories.push(withSlash(root));
    return list;
  }
  // Lookups by path, so that a workspace of thousands of entries and hundreds of boundaries is
  // listed in milliseconds: each boundary's visibility (hidden wins on one path), and every folder
  // that holds a boundary deeper down.
  const boundaryAt = new Map<string, boolean>();
  const holders = new Set<string>();
  for (const b of boundaries) {
    boundaryAt.set(b.path, (boundaryAt.get(b.path) ?? true) && b.visible);
    for (let dir = path.dirname(b.path); isInside(dir, root); dir = path.dirname(dir)) {
      holders.add(dir);
      if (dir === root) break;
    }
  }
  /** The nearest enclosing boundary decides; none: visible. */
  const visibleAt = (p: string): boolean => {
    for (let at = p; ; at = path.dirname(at)) {
      const visible = boundaryAt.get(at);
      if (visible !== undefined) return visible;
      if (at === root || path.dirname(at) === at) return true;
    }
  };
  const holdsBoundary = (dir: string): boolean => holders.has(dir);
  const allowed = (real: string): boolean =>
    isInside(real, scratchDir) || (isInside(real, root) && visibleAt(real) && !holdsBoundary(real));
  const add = (real: string): void => {
    if (statOrUndefined(real)?.isDirectory()) list.directories.push(withSlash(real));
    else list.files.push(real);
  };
  const split = async (dir: string): Promise<void> => {
    for (const name of (await listNames(dir)).sort()) {
      const entry = path.join(dir, name);
      const stat = lstatOrUndefined(entry);
      if (!stat) continue;
      if (stat.isDirectory() && holdsBoundary(entry)) {
        await split(entry);
        continue;
      }
      if (!visibleAt(entry)) continue;
      const real = realOrUndefined(entry);
      if (real !== undefined && allowed(real)) add(real);
    }
  };
  if (holdsBoundary(root)) await split(root);
  else if (visibleAt(root)) add(root);
  return { directories: [...new Set(list.directories)], files: [...new Set(list.files)] };
}

async function nodeList(dir: string): Promise<string[]> {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Lists with Node, else with DuckDB's glob (`dir/*` matches files, `dir/*\/` folders, dot-names included). */
export function duckdbLister(conn: DuckDBConnection): Lister {
  return async (dir) => {
    try {
      return fs.readdirSync(dir);
    } catch {
      if (/[*?[\]{}\\]/.test(dir)) return [];
      const pattern = (suffix: string) => quoteLiteral(path.join(dir, suffix));
      const reader = await conn.runAndReadAll(
        `SELECT file FROM glob(${pattern('*')}) UNION SELECT file FROM glob(${pattern('*/')})`,
      );
      return reader.getRowsJS().map((row) => path.basename(String(row[0])));
    }
  };
}

/** lstat, or undefined when the entry is gone or may not be looked at (the permission model's refusal). */
function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/** Both absolute and normalized (no `..`, no trailing separator but the root's). */
export function isInside(child: string, dir: string): boolean {
  return child === dir || child.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** A trailing separator so that `/work/a` does not also allow `/work/ab`. */
export function withSlash(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}
