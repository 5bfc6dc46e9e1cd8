/**
 * Finds the workspace of a notebook: the folder its kernel may read, where `quire.config.json`
 * and (by default) the run store `.quire/` live. It is the nearest folder at or above the
 * notebook's folder that declares a project — `quire.config.json`, `package.json` or `.git` —
 * and a notebook outside any project is its own workspace (its folder).
 *
 * `.quire/` is not a marker: it is state the store creates wherever a run was recorded, so a
 * stray one (a run once started in the home folder leaves `~/.quire/`) would otherwise widen
 * every later notebook's workspace to that folder, silently. `quire serve DIR` does not search:
 * its workspace is DIR (docs/cli.md), and it prints what this search would say when it differs.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const WORKSPACE_MARKERS = ['quire.config.json', 'package.json', '.git'] as const;

export interface WorkspaceRoot {
  /** the workspace folder */
  root: string;
  /** the marker that made it the workspace; undefined when none was found above the folder */
  marker: (typeof WORKSPACE_MARKERS)[number] | undefined;
}

/** The workspace of a notebook in `notebookDir`, and why it is that folder. */
export function locateWorkspace(notebookDir: string): WorkspaceRoot {
  let current = notebookDir;
  for (;;) {
    const marker = WORKSPACE_MARKERS.find((name) => existsSync(join(current, name)));
    if (marker) return { root: current, marker };
    const parent = dirname(current);
    if (parent === current) return { root: notebookDir, marker: undefined };
    current = parent;
  }
}

export function findWorkspace(notebookDir: string): string {
  return locateWorkspace(notebookDir).root;
}

/**
 * The workspace of the notebook file `file`, found as a run finds it (from the file's real path),
 * before the notebook is loaded; a file that does not exist yet is left to the loader to report.
 */
export function notebookWorkspace(file: string): string {
  let path = resolve(file);
  try {
    path = realpathSync(path);
  } catch {
    // the loader says what is wrong with it
  }
  return findWorkspace(dirname(path));
}
