/**
 * The Kernel interface: where cell code runs. The engine's session, the runner and the server talk
 * to a kernel only through this interface and make kernels through a `KernelFactory` handed to them
 * by the edges (the CLI, the server's start, the jobs' start); `ProcessKernel` (host.ts) is the
 * child-process implementation and `spawnKernel` (factory.ts) the default factory.
 */
import type { ErrorData, Output } from '../outputs/types.js';
import type {
  DefineValues,
  DeleteNames,
  ExecuteJs,
  ExecuteSql,
  ForgetCell,
  RenderProse,
  TablePage,
  TablePageResult,
  Warmup,
} from './protocol.js';
import type { z } from 'zod';

/** A cell to run, as the engine builds it; the kernel gives it its execution id when it posts it. */
export type ExecuteCommand =
  Omit<ExecuteJs, 'execution'> | Omit<ExecuteSql, 'execution'> | Omit<RenderProse, 'execution'>;

/** The scope changes a caller sends without waiting for an answer. */
export type ScopeCommand =
  | z.infer<typeof DeleteNames>
  | z.infer<typeof ForgetCell>
  | z.infer<typeof DefineValues>
  | z.infer<typeof Warmup>;

export interface ExecuteOptions {
  /** the cell's time limit; past it the kernel process group is killed and the result says `timeout` */
  timeoutMs?: number;
  /** each output as it is produced (display, streams, the last expression's value) */
  onOutput?: (output: Output) => void;
  /** each `metric(name, value)` the cell records, as it is recorded (name and value already validated) */
  onMetric?: (name: string, value: number) => void;
}

export interface ExecutionResult {
  status: 'ok' | 'error';
  durationMs: number;
  /**
   * why it failed: `exception` (the cell threw, SQL error…), `timeout` (killed at its limit),
   * `crash` (the kernel process died: process.exit, OOM, signal)
   */
  failure?: 'exception' | 'timeout' | 'crash';
  error?: ErrorData;
  /** names the cell defined in the kernel scope */
  declared: string[];
  versions?: Record<string, string>;
}

export interface Kernel {
  /** starts the process and resolves when it is ready for commands */
  start(): Promise<void>;
  /** runs one cell; never rejects for a user-code failure (the result says so) */
  execute(command: ExecuteCommand, options?: ExecuteOptions): Promise<ExecutionResult>;
  /** a fire-and-forget scope change */
  send(command: ScopeCommand): void;
  /** true while the process is up */
  readonly alive: boolean;
  /** stops the process (graceful, then SIGKILL of its process group) */
  shutdown(): Promise<void>;
  /** the kernel's OS process id while alive (diagnostics, RSS measurements), else undefined */
  readonly pid: number | undefined;
  /**
   * A page of a table value in the kernel's scope (by notebook name or by the cell that showed it).
   * Not queued behind running cells; rejects when the kernel has no such table, is not running,
   * dies, or does not answer within `timeoutMs`.
   */
  tablePage(request: TablePageRequest, timeoutMs?: number): Promise<KernelTablePage>;
}

/** What {@link Kernel.tablePage} asks for (the request id is the host's). */
export type TablePageRequest = Omit<TablePage, 'type' | 'requestId'>;
/** A page of a table value in the kernel (rows JSON-safe, as TableData's). */
export type KernelTablePage = Required<Pick<TablePageResult, 'columns' | 'rows' | 'rowCount' | 'offset'>> &
  Pick<TablePageResult, 'source'>;

/** Named database connections, opened by the host so credentials never enter the kernel. */
export interface ConnectionProvider {
  query(
    connection: string,
    sql: string,
    parameters: unknown[],
  ): Promise<{ columns: { name: string; type: string }[]; rows: unknown[][] }>;
}

/**
 * What of the workspace a kernel's user may not read (auth/file-access.ts: their grants), as
 * workspace paths ('' all of it, 'team/' a folder, 'a/b.nb.md' a file), and the paths inside those
 * they may read again.
 */
export interface KernelFileAccess {
  ungranted: readonly string[];
  shown: readonly string[];
}

/** What a caller says about the kernel it wants; the factory adds its own defaults and isolation. */
export interface KernelSpec {
  /** the folder cells may read (and where bare imports resolve from) */
  workspace: string;
  /** the kernel's working directory (default: workspace; must be inside it) */
  cwd?: string;
  /** V8 heap limit in MB (default: the kernel's own) */
  heapMb?: number;
  connections?: ConnectionProvider;
  /** what its user may not read; absent: all of the workspace (the single-user owner, an admin) */
  fileAccess?: KernelFileAccess;
}

/** Makes a new, not yet started kernel. */
export type KernelFactory = (spec: KernelSpec) => Kernel;
