/**
 * What of the workspace a kernel's cells see, decided when the kernel starts: the folders hidden
 * from every kernel (the run store `.quire/`, `.git/`, the workspace config), what the kernel's user
 * was not granted (auth/file-access.ts turns their grants into `ungranted` and `shown` workspace
 * paths), and, without an OS sandbox, the allow-list that Node's permission model reads instead of
 * the whole workspace.
 *
 * In the OS sandbox an ungranted folder is an empty read-only folder and an ungranted file an empty
 * file (sandbox/spec.ts), with the shown paths mounted again inside; without one, Node's permission
 * model has no deny rule, so the workspace is allowed entry by entry around them (the same list
 * DuckDB gets, connectors/kernel/allow-list.ts). Paths are taken as they are on disk now: one made
 * later is seen as it is when the next kernel starts (an editor session checks every second and
 * restarts its kernel when its user's view changed, server/notebook-session.ts).
 */
import { chmodSync, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { allowList } from '../connectors/kernel/allow-list.js';
import type { KernelFileAccess } from './types.js';
import type { KernelUser } from './user.js';

export interface FileView {
  /** hidden from every kernel: `.quire/`, `.git/`, quire.config.json, and the caller's extra folders */
  hidden: string[];
  /** not granted to this kernel's user (real paths that exist) */
  ungranted: string[];
  /** inside hidden or ungranted paths, granted again (real paths that exist) */
  shown: string[];
  /** which of `hidden` and `ungranted` are files (covered by an empty file, not a folder) */
  hiddenFiles: string[];
  /**
   * Without an OS sandbox, when anything is ungranted: the workspace's readable entries (real
   * paths, folders with a trailing separator), listed here by the host, which can list every
   * folder. Node's permission model and DuckDB allow them instead of the workspace (a kernel under
   * that model could not list the folders it has to split).
   */
  readable?: string[];
}

export interface FileViewInput {
  /** the workspace's real path */
  workspace: string;
  scratch: string;
  /** more folders every kernel of this host hides (workspace paths) */
  extraHidden?: readonly string[];
  fileAccess?: KernelFileAccess | undefined;
  user: KernelUser | undefined;
  /** true when the kernel runs in the OS sandbox */
  sandboxed: boolean;
}

/**
 * The folders cells must not read: the run store (`.quire/`, created here if missing, so that a
 * store opened after the kernel started is hidden too) and `.git/`, plus the caller's. Without an
 * OS sandbox a kernel running as another user is kept out by the folder's mode (0700).
 */
function hiddenPaths(workspace: string, extra: readonly string[], user: KernelUser | undefined): string[] {
  const store = join(workspace, '.quire');
  try {
    mkdirSync(store, { recursive: true, mode: 0o700 });
    if (user) chmodSync(store, 0o700);
  } catch {
    // A read-only workspace: nobody creates a store in it either.
  }
  // The workspace config may hold a database URL with its password (`url`, not `urlEnv`):
  // connections are the host's, and so is their config.
  const config = join(workspace, 'quire.config.json');
  return [store, join(workspace, '.git'), config, ...extra.map((path) => resolve(workspace, path))].filter(
    (path) => existsSync(path),
  );
}

const inside = (path: string, dir: string): boolean => path === dir || path.startsWith(dir + sep);

/** Workspace paths ('' the workspace, 'team/' a folder) as the real paths of those that exist inside it. */
function existing(workspace: string, paths: readonly string[]): string[] {
  const real: string[] = [];
  for (const path of paths) {
    try {
      const found = realpathSync(resolve(workspace, path));
      if (inside(found, workspace)) real.push(found);
    } catch {
      // Not there (yet): nothing to hide.
    }
  }
  return [...new Set(real)];
}

/** Which paths are files rather than folders. */
function filesAmong(paths: string[]): string[] {
  return paths.filter((path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  });
}

export async function fileView(input: FileViewInput): Promise<FileView> {
  const { workspace } = input;
  const hidden = hiddenPaths(workspace, input.extraHidden ?? [], input.user);
  const ungranted = existing(workspace, input.fileAccess?.ungranted ?? []);
  const closed = [...hidden, ...ungranted];
  // A shown path outside every closed one changes nothing.
  const shown = existing(workspace, input.fileAccess?.shown ?? []).filter((path) =>
    closed.some((dir) => path !== dir && inside(path, dir)),
  );
  const view: FileView = { hidden, ungranted, shown, hiddenFiles: filesAmong(closed) };
  // In the OS sandbox the kernel can list what it sees (the ungranted folders are empty there), so
  // its DuckDB lists for itself, and only if a cell runs SQL.
  if (!input.sandboxed && ungranted.length > 0) {
    const scratch = realpathSync(input.scratch);
    const allow = await allowList(workspace, scratch, { hidden: closed, shown });
    view.readable = [...allow.directories, ...allow.files].filter(
      (path) => !inside(path, scratch) && path !== scratch + sep,
    );
  }
  return view;
}
