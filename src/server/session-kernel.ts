/**
 * What one editor session needs to run cells: the run assembly of runner/assemble.ts (the same as
 * a `quire run`'s) with a kernel per the served folder (workspace = the served folder, cwd = the
 * notebook's folder) and named connections opened by the host on first use. The kernel factory
 * and the secret source come from the server's start: nothing here chooses them.
 *
 * The session's secrets are scoped to its notebook (path grants apply) and to the session's user
 * (user grants apply): each user has sessions and kernels of their own (notebook-sessions.ts), so
 * what one user's grants let their kernel read is never shown to another. The single-user owner is
 * the host's owner, as for `quire run` (secrets/grants.ts).
 */
import { ConnectionRegistry } from '../connectors/host/registry.js';
import type {
  ConnectionProvider,
  Kernel,
  KernelFactory,
  KernelFileAccess,
  KernelSpec,
} from '../kernel/types.js';
import type { RunUser } from '../secrets/grants.js';
import type { SecretReader, SecretSource } from '../secrets/source.js';
import type { SecretRedactor } from '../secrets/redactor.js';
import { assembleRun, type RunAssembly } from '../runner/assemble.js';

export interface SessionKernel {
  options: RunAssembly['options'];
  redactor: SecretRedactor;
  /** where the session's secrets come from (the record names those its cells read) */
  secrets: SecretSource;
  /** the kernel made last (alive or not); table pages are asked of it */
  readonly current: Kernel | undefined;
  /** closes the connections opened for this session */
  close(): Promise<void>;
}

export interface SessionKernelInput {
  workspace: string;
  /** the notebook's path relative to the workspace (path grants are checked against it) */
  notebookPath: string;
  notebookDir: string;
  heapMb?: number | undefined;
  /** the front matter's `timeout` when the notebook was loaded */
  frontTimeoutMs?: number | undefined;
  kernels: KernelFactory;
  secrets: SecretSource;
  /** who the session's user is for a secret's user grants */
  user: RunUser;
  /** the session (and who asked for the run) a cell's secret read belongs to */
  reader?: () => Omit<SecretReader, 'cellId' | 'execution'>;
  /** what the session user's kernel may read, asked each time a kernel process starts */
  fileAccess?: () => KernelFileAccess | undefined;
}

export function sessionKernel(input: SessionKernelInput): SessionKernel {
  const { workspace } = input;
  let registry: Promise<ConnectionRegistry> | undefined;
  const connections: ConnectionProvider = {
    query: async (name, sql, parameters) =>
      (
        await (registry ??= ConnectionRegistry.load(workspace, process.env, {
          source: assembly.source,
          redactor: assembly.redactor,
        }))
      ).query(name, sql, parameters),
  };
  const spec: KernelSpec = {
    workspace,
    cwd: input.notebookDir,
    connections,
    ...(input.heapMb ? { heapMb: input.heapMb } : {}),
  };
  // A getter: a kernel reads it as its process starts (again after a crash or a restart), so each
  // process gets its user's file access as it is then, not as it was when the session opened.
  const { fileAccess } = input;
  if (fileAccess) Object.defineProperty(spec, 'fileAccess', { get: fileAccess, enumerable: true });
  const assembly = assembleRun({
    kernels: input.kernels,
    kernel: spec,
    secrets: input.secrets,
    scope: { notebookPath: input.notebookPath, user: input.user },
    frontTimeoutMs: input.frontTimeoutMs,
    ...(input.reader ? { reader: input.reader } : {}),
  });
  return {
    options: assembly.options,
    redactor: assembly.redactor,
    secrets: neverRefusing(assembly.source),
    get current() {
      return assembly.current;
    },
    close: async () => {
      const opened = registry;
      registry = undefined;
      await (await opened?.catch(() => undefined))?.close();
    },
  };
}

/**
 * The session's source for the record's list of secrets read (session-runs.ts asks it after the
 * run): a refused secret was not read, so it answers undefined instead of throwing.
 */
const neverRefusing = (source: SecretSource): SecretSource => ({
  get: (name) => {
    try {
      return source.get(name);
    } catch {
      return undefined;
    }
  },
  describe: (name) => source.describe(name),
});
