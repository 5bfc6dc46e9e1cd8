/**
 * What one editor session needs to run cells: the run assembly of runner/assemble.ts (the same as
 * a `quire run`'s) with a kernel per the served folder (workspace = the served folder, cwd = the
 * notebook's folder) and named connections opened by the host on first use. The kernel factory
 * and the secret source come from the server's start: nothing here chooses them.
 */
import { ConnectionRegistry } from '../connectors/host/registry.js';
import type { ConnectionProvider, Kernel, KernelFactory } from '../kernel/types.js';
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
  notebookDir: string;
  heapMb?: number | undefined;
  /** the front matter's `timeout` when the notebook was loaded */
  frontTimeoutMs?: number | undefined;
  kernels: KernelFactory;
  secrets: SecretSource;
  /** the session (and who asked for the run) a cell's secret read belongs to */
  reader?: () => Omit<SecretReader, 'cellId' | 'execution'>;
}

export function sessionKernel(input: SessionKernelInput): SessionKernel {
  const { workspace } = input;
  let registry: Promise<ConnectionRegistry> | undefined;
  const connections: ConnectionProvider = {
    query: async (name, sql, parameters) =>
      (await (registry ??= ConnectionRegistry.load(workspace))).query(name, sql, parameters),
  };
  const assembly = assembleRun({
    kernels: input.kernels,
    kernel: {
      workspace,
      cwd: input.notebookDir,
      connections,
      ...(input.heapMb ? { heapMb: input.heapMb } : {}),
    },
    secrets: input.secrets,
    frontTimeoutMs: input.frontTimeoutMs,
    ...(input.reader ? { reader: input.reader } : {}),
  });
  return {
    options: assembly.options,
    redactor: assembly.redactor,
    secrets: input.secrets,
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
