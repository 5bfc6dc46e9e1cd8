/**
 * Starts the kernel of a `quire run` before anything else loads. A kernel's start (~130 ms) and,
 * for a notebook with SQL, DuckDB's load (~290 ms) are the longest stretch of a short run; begun
 * from the file text alone they overlap with the host loading its own modules, parsing and
 * transpiling. The runner adopts the kernel when the notebook turns out to be good input and
 * shuts it down otherwise. Imports nothing heavy: the point is to start early.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConnectionProvider, Kernel, KernelFactory } from '../kernel/types.js';
import { findWorkspace } from './workspace.js';

/** Connections are known only once the notebook is parsed; the kernel asks through this. */
export class LateConnections implements ConnectionProvider {
  target: ConnectionProvider | undefined;
  query(connection: string, sql: string, parameters: unknown[]) {
    if (!this.target) return Promise.reject(new Error(`no connection named "${connection}" is configured`));
    return this.target.query(connection, sql, parameters);
  }
}

export interface Prestarted {
  /** the notebook file the kernel was started for (its real path) */
  absolutePath: string;
  workspace: string;
  cwd: string;
  heapMb: number | undefined;
  connections: LateConnections;
  kernel: Kernel;
  /** the kernel once started (DuckDB loading behind it when the file has SQL), or undefined */
  ready: Promise<Kernel | undefined>;
}

/**
 * Starts `kernel` and, when the notebook has SQL, has it load DuckDB right away (while the host
 * does its own work). Resolves undefined when the start fails: the session then tries again and
 * reports the error on the cell.
 */
export function startKernel(kernel: Kernel, sql: boolean): Promise<Kernel | undefined> {
  return kernel.start().then(
    () => {
      if (sql) kernel.send({ type: 'warmup', sql: true });
      return kernel;
    },
    async () => {
      await kernel.shutdown();
      return undefined;
    },
  );
}

/** A SQL fence anywhere in the text: enough to decide to load DuckDB early (a guess, never wrong-footed). */
const SQL_FENCE = /^ {0,3}(?:`{3,}|~{3,})[ \t]*sql(?:[ \t]|$)/m;

/**
 * Starts a kernel for the notebook at `path`; undefined when the file cannot be read (the loader
 * reports it). Reads the text only to guess whether DuckDB is needed: the loader parses it.
 */
export function prestartKernel(
  path: string,
  heapMb: number | undefined,
  kernels: KernelFactory,
): Prestarted | undefined {
  let absolutePath: string;
  let text: string;
  try {
    absolutePath = realpathSync(resolve(path));
    text = readFileSync(absolutePath, 'utf8');
  } catch {
    return undefined;
  }
  const cwd = dirname(absolutePath);
  const workspace = findWorkspace(cwd);
  const connections = new LateConnections();
  const kernel = kernels({ workspace, cwd, connections, ...(heapMb ? { heapMb } : {}) });
  const ready = startKernel(kernel, SQL_FENCE.test(text));
  return { absolutePath, workspace, cwd, heapMb, connections, kernel, ready };
}
