/**
 * What a kernel's OS sandbox looks like, as data (pure: the paths come in, no I/O): a new root
 * holding only the system's libraries, the node binary, the runtime bundle and DuckDB's package
 * (read-only), the workspace (read-only, with the run store and `.git/` hidden behind empty
 * folders) and the kernel's scratch folder (writable); its own network (loopback only), process,
 * IPC and host-name namespaces; no capabilities. bwrap.ts and unshare.ts turn it into a command.
 *
 * Why a new root rather than rules on the old one: a symlink in the workspace that points outside
 * (`rootlink -> /`) is followed by Node's permission model, but inside the sandbox it can only
 * reach what was mounted — the same read-only system files every process may read, and no user data.
 */

export type Mount =
  | { type: 'ro-bind'; source: string; target: string }
  | { type: 'bind'; source: string; target: string }
  /** an empty read-only folder over `target` (hides what is there) */
  | { type: 'hide'; target: string }
  /** an empty file over the file `target` */
  | { type: 'hide-file'; target: string }
  | { type: 'symlink'; link: string; target: string }
  | { type: 'dev' }
  | { type: 'proc' };

export interface SandboxSpec {
  mounts: Mount[];
  /** the working directory inside (a path that exists there: the notebook's folder) */
  cwd: string;
}

export interface SandboxInput {
  /** the real path of the workspace (mounted read-only at the same path) */
  workspace: string;
  /** the kernel's scratch folder (mounted writable at the same path) */
  scratch: string;
  cwd: string;
  /** folders inside the workspace that cells must not see (the run store, `.git/`): only those that exist */
  hidden: string[];
  /** files inside the workspace that cells must not see (quire.config.json: it may hold a database URL) */
  hiddenFiles?: string[];
  /** files and folders inside hidden ones that cells may see again (a notebook granted inside a folder that is not) */
  shown?: string[];
  /** files and folders the runtime loads (its bundle, DuckDB's package), read-only at the same path */
  runtime: string[];
  /** the node binary's real path */
  node: string;
  /** top-level system folders: a folder is mounted read-only, a symlink (`/lib -> usr/lib`) recreated */
  system: { path: string; symlinkTo?: string }[];
  /** single system files kept (read-only) when they exist, e.g. /etc/localtime */
  files: string[];
}

/** Paths whose contents every process may read and that a JS program needs to start (libraries). */
export const SYSTEM_PATHS = ['/usr', '/lib', '/lib64', '/lib32', '/libx32', '/bin', '/sbin'];
export const SYSTEM_FILES = ['/etc/localtime', '/etc/ld.so.cache'];

const under = (path: string, dir: string): boolean =>
  path === dir || path.startsWith(dir.endsWith('/') ? dir : dir + '/');

/**
 * The system's folders and files, /dev and /proc, then `readOnly` (the node binary, quire's code)
 * unless a system folder already holds them; also says which system folders are mounted.
 */
function baseMounts(
  input: Pick<SandboxInput, 'system' | 'files'>,
  readOnly: string[],
): { mounts: Mount[]; systemDirs: string[] } {
  const mounts: Mount[] = [];
  const systemDirs: string[] = [];
  for (const entry of input.system) {
    if (entry.symlinkTo !== undefined)
      mounts.push({ type: 'symlink', link: entry.path, target: entry.symlinkTo });
    else {
      mounts.push({ type: 'ro-bind', source: entry.path, target: entry.path });
      systemDirs.push(entry.path);
    }
  }
  for (const file of input.files) mounts.push({ type: 'ro-bind', source: file, target: file });
  mounts.push({ type: 'dev' }, { type: 'proc' });
  for (const path of readOnly)
    if (!systemDirs.some((dir) => under(path, dir)))
      mounts.push({ type: 'ro-bind', source: path, target: path });
  return { mounts, systemDirs };
}

export function sandboxSpec(input: SandboxInput): SandboxSpec {
  const code = [input.node, ...input.runtime];
  const { mounts, systemDirs } = baseMounts(input, code);
  // The workspace after them: a workspace that holds quire itself (a checkout) mounts over them, same content.
  mounts.push({ type: 'ro-bind', source: input.workspace, target: input.workspace });
  // Hidden and shown paths nest (a folder hidden, a notebook in it shown, a folder in that hidden
  // again): each is mounted after the paths that enclose it, so a sorted order does it (a path
  // sorts after its prefix). The workspace itself may be hidden (a grant on all of it).
  const layered: { path: string; mount: Mount }[] = [
    ...input.hidden.map((path) => ({ path, mount: { type: 'hide', target: path } as Mount })),
    ...(input.hiddenFiles ?? []).map((path) => ({
      path,
      mount: { type: 'hide-file', target: path } as Mount,
    })),
    ...(input.shown ?? []).map((path) => ({
      path,
      mount: { type: 'ro-bind', source: path, target: path } as Mount,
    })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const { mount } of layered) mounts.push(mount);
  // After the hidden paths: quire's own code, when the workspace holds it, stays readable.
  for (const path of code)
    if (under(path, input.workspace) && !systemDirs.some((dir) => under(path, dir)))
      mounts.push({ type: 'ro-bind', source: path, target: path });
  mounts.push({ type: 'bind', source: input.scratch, target: input.scratch });
  return { mounts, cwd: input.cwd };
}

/**
 * A sandbox for a helper process that runs no notebook code of its own but reads untrusted input
 * (the chart renderer): the system's libraries and the given paths, all read-only, nothing else.
 */
export function toolSpec(
  input: Pick<SandboxInput, 'system' | 'files' | 'node'> & { readOnly: string[]; cwd: string },
): SandboxSpec {
  return { mounts: baseMounts(input, [input.node, ...input.readOnly]).mounts, cwd: input.cwd };
}
