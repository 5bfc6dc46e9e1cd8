/**
 * The folders and files the kernel's DuckDB may open: the scratch folder, and the workspace without
 * its hidden paths (the run store `.quire/`, `.git/`). DuckDB has only allow-lists (prefixes in
 * `allowed_directories`, exact files in `allowed_paths`), no deny-list, and resolves symlinks on
 * both sides before comparing. So a workspace with hidden paths is allowed entry by entry: every
 * entry of the workspace root except the hidden ones, splitting again inside any folder that holds
 * a hidden path deeper down. An entry that is a symlink into a hidden path (or to a folder holding
 * one), or out of the workspace, is left out.
 *
 * The list is taken once, when DuckDB opens (it is locked afterwards): an entry created at the
 * workspace root later is not readable from SQL until the kernel restarts (files created later
 * inside an allowed folder are), and a glob directly at the root (`'*.csv'`) is refused because
 * the root folder itself is not allowed when anything in it is hidden.
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

export async function allowList(
  workspace: string,
  scratch: string,
  hidden: readonly string[] = [],
  listNames: Lister = nodeList,
): Promise<AllowList> {
  const root = fs.realpathSync(workspace);
  const scratchDir = fs.realpathSync(scratch);
  const hiddenPaths = [
    ...new Set(hidden.flatMap((h) => [path.resolve(h), realOrUndefined(h) ?? path.resolve(h)])),
  ].filter((h) => h !== root && isInside(h, root));
  const list: AllowList = { directories: [withSlash(scratchDir)], files: [] };
  if (hiddenPaths.length === 0) {
    list.directories.push(withSlash(root));
    return list;
  }
  const allowed = (real: string): boolean =>
    (isInside(real, root) || isInside(real, scratchDir)) &&
    !hiddenPaths.some((h) => isInside(real, h) || isInside(h, real));
  const split = async (dir: string): Promise<void> => {
    for (const name of (await listNames(dir)).sort()) {
      const entry = path.join(dir, name);
      if (hiddenPaths.some((h) => isInside(entry, h))) continue;
      const stat = fs.lstatSync(entry, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory() && hiddenPaths.some((h) => isInside(h, entry))) {
        await split(entry);
        continue;
      }
      const real = realOrUndefined(entry);
      if (real === undefined || !allowed(real)) continue;
      if (fs.statSync(real, { throwIfNoEntry: false })?.isDirectory()) list.directories.push(withSlash(real));
      else list.files.push(real);
    }
  };
  await split(root);
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

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

export function isInside(child: string, dir: string): boolean {
  const relative = path.relative(dir, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** A trailing separator so that `/work/a` does not also allow `/work/ab`. */
export function withSlash(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}
