/**
 * What one editor session needs to run cells, set up as `quire run` does (runner/run.ts): a
 * ProcessKernel factory (workspace = the served folder, cwd = the notebook's folder), named
 * connections opened by the host on first use, secrets from the host's environment registered
 * with the session's redactor, and the output gate (prepareOutput with that redactor).
 */
import { ConnectionRegistry } from '../connectors/host/registry.js';
import { ProcessKernel, type ConnectionProvider } from '../kernel/host.js';
import { prepareOutput } from '../outputs/prepare.js';
import type { Output } from '../outputs/types.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { EnvSecretSource } from '../secrets/source.js';
import { redactAcrossChunks } from '../secrets/stream-tail.js';
import type { SessionOptions } from '../engine/session.js';

export interface SessionKernel {
  options: SessionOptions;
  redactor: SecretRedactor;
  /** the kernel made last (alive or not); table pages are asked of it */
  readonly current: ProcessKernel | undefined;
  /** closes the connections opened for this session */
  close(): Promise<void>;
}

export function sessionKernel(workspace: string, notebookDir: string, heapMb?: number): SessionKernel {
  let registry: Promise<ConnectionRegistry> | undefined;
  const connections: ConnectionProvider = {
    query: async (name, sql, parameters) =>
      (await (registry ??= ConnectionRegistry.load(workspace))).query(name, sql, parameters),
  };
  const redactor = new SecretRedactor();
  let current: ProcessKernel | undefined;
  const options: SessionOptions = {
    createKernel: () =>
      (current = new ProcessKernel({
        workspace,
        cwd: notebookDir,
        connections,
        ...(heapMb ? { heapMb } : {}),
      })),
    // A secret split across stream chunks is redacted too (stream-tail.ts).
    prepareOutput: redactAcrossChunks(redactor, (output: Output) => prepareOutput(output, { redactor })),
    secrets: { source: new EnvSecretSource(), redactor },
  };
  return {
    options,
    redactor,
    get current() {
      return current;
    },
    close: async () => {
      const opened = registry;
      registry = undefined;
      await (await opened?.catch(() => undefined))?.close();
    },
  };
}
