/**
 * The Kernel interface: where cell code runs. The engine's session talks to a kernel only through
 * this interface; `ProcessKernel` (host.ts) is the child-process implementation.
 */
import type { ErrorData, Output } from '../outputs/types.js';
import type {
  DefineValues,
  DeleteNames,
  ExecuteJs,
  ExecuteSql,
  ForgetCell,
  RenderProse,
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
}
