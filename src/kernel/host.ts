/**
 * ProcessKernel: runs cells in a child Node process under the permission model, as an unprivileged
 * user when the host is root, with a scrubbed environment, a heap cap, an output cap and a per-cell
 * time limit. The host trusts nothing the child says: every notification is validated, and no
 * kernel behaviour (crash, flood, garbage, hang) makes the host throw or crash.
 *
 * One ProcessKernel drives one process at a time; after the process dies (`alive` false), `start()`
 * launches a fresh one with an empty scope.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import type { Output } from '../outputs/types.js';
import { describeExit, stripExitMarker } from './exit-reason.js';
import { fileView } from './file-view.js';
import { encodeFrame, FrameReader, FrameTooLargeError } from './frames.js';
import { launchPlan, type RuntimeConfig } from './launch.js';
import { DEFAULT_OUTPUT_CAP_BYTES, OutputBudget } from './output-cap.js';
import { assertRuntimeBuilt, packageRoot, runtimeEntry, runtimePackages } from './paths.js';
import { lowerAutogroup } from './priority.js';
import { sandboxSupport, systemLayout } from './sandbox/detect.js';
import type { EgressProxy } from './egress/proxy.js';
import { readEgressSetting } from './egress/setting.js';
import type * as ProtocolModule from './protocol.js';
import type {
  CellFinished,
  CellMetric,
  ConnectionQuery,
  KernelCommand,
  TablePageResult,
} from './protocol.js';

// zod and the schemas load in the background while the first kernel starts (~80 ms that would
// otherwise add to every `quire run`); messages that arrive earlier wait for them.
type Protocol = typeof ProtocolModule;
let protocol: Protocol | undefined;
let protocolLoading: Promise<Protocol> | undefined;
const loadProtocol = (): Promise<Protocol> =>
  (protocolLoading ??= import('./protocol.js').then((module) => (protocol = module)));
import { killGroup, track, untrack } from './reaper.js';
import { makeScratchDir } from './scratch.js';
import type {
  ConnectionProvider,
  ExecuteCommand,
  ExecuteOptions,
  ExecutionResult,
  Kernel,
  KernelFileAccess,
  KernelTablePage,
  ScopeCommand,
  TablePageRequest,
} from './types.js';
import { assertReadableBy, giveTo, resolveKernelUser, type KernelUser } from './user.js';

export type { ConnectionProvider, KernelTablePage, TablePageRequest } from './types.js';

export interface ProcessKernelOptions {
  /** the folder cells may read (and where bare imports resolve from: its node_modules) */
  workspace: string;
  /** the kernel's working directory, where relative paths and imports resolve (default: workspace; must be inside it) */
  cwd?: string;
  /** V8 old-space limit of the kernel (default: three quarters of `memoryMb`) */
  heapMb?: number;
  /** bytes of output one cell execution may produce (default 2 MiB); the rest is dropped */
  outputCapBytes?: number;
  /** extra environment variables for the kernel (the host's own env is never passed through) */
  env?: Record<string, string>;
  connections?: ConnectionProvider;
  /** `auto` (default): `nobody` when the host is root; `none`: same user as the host; or `uid[:gid]` */
  user?: 'auto' | 'none' | string;
  /** how long `start()` waits for the runtime's `ready` (default 15 s) */
  startTimeoutMs?: number;
  /** the largest message the kernel may send (default: 16 MiB or 4 × the output cap); past it the kernel is ended */
  messageCapBytes?: number;
  /**
   * the kernel's whole memory in MiB — V8's heap, Buffers, DuckDB and native allocations together
   * (default `QUIRE_KERNEL_MEMORY_MB`, else 4096); past it allocations fail with "out of memory"
   */
  memoryMb?: number;
  /** the notebook file the kernel runs (what a cell's `import.meta.url` names) */
  notebook?: string;
  /** more folders inside the workspace that cells must not see (`.quire/` and `.git/` always are) */
  hidden?: string[];
  /** what the kernel's user may not read (their grants; file-view.ts) */
  fileAccess?: KernelFileAccess;
  /** `none` starts this kernel without the OS sandbox even where the host has one (default `auto`) */
  sandbox?: 'auto' | 'none';
  /**
   * the hosts the kernel may reach through the host's egress proxy (`network.allow`); default: the
   * workspace's quire.config.json setting; absent there = no network at all
   */
  egress?: { allow: string[] };
}

/** How much kernels yield the CPU to the server: `QUIRE_KERNEL_NICE` (0-19), default 19. */
function kernelNiceness(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.QUIRE_KERNEL_NICE?.trim();
  if (!text) return 19;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 19)
    throw new Error(`QUIRE_KERNEL_NICE must be a whole number from 0 to 19, not '${text}'`);
  return value;
}

/** The default whole-memory cap of a kernel, MiB. */
export const DEFAULT_KERNEL_MEMORY_MB = 4096;

function defaultMemoryMb(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.QUIRE_KERNEL_MEMORY_MB?.trim();
  if (!text) return DEFAULT_KERNEL_MEMORY_MB;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 64)
    throw new Error(`QUIRE_KERNEL_MEMORY_MB must be a whole number of MiB, at least 64, not '${text}'`);
  return value;
}

/** The stdio index of the kernel channel (a socket pair; see frames.ts). */
const CHANNEL_FD = 3;

interface Running {
  /** the unguessable id this execution was posted with */
  execution: string;
  budget: OutputBudget;
  onOutput: (output: Output) => void;
  onMetric: (name: string, value: number) => void;
  started: number;
  timer?: NodeJS.Timeout;
  resolve: (result: ExecutionResult) => void;
}

interface Starting {
  resolve: () => void;
  reject: (error: Error) => void;
}

interface PendingPage {
  resolve: (page: KernelTablePage) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** How long a table page may take by default (a kernel busy in a synchronous loop cannot answer). */
const TABLE_PAGE_TIMEOUT_MS = 5_000;

const STDERR_TAIL_BYTES = 8192;
/** Grace after `exit` for the stdio pipes to drain (a stray grandchild could hold them open). */
const CLOSE_GRACE_MS = 500;

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

function errorResult(
  failure: 'timeout' | 'crash',
  name: string,
  message: string,
  durationMs = 0,
): ExecutionResult {
  return { status: 'error', failure, durationMs, error: { name, message }, declared: [] };
}

export class ProcessKernel implements Kernel {
  private child: ChildProcess | undefined;
  private channel: Socket | undefined;
  private egress: EgressProxy | undefined;
  private scratch: string | undefined;
  private running: Running | undefined;
  private starting: Starting | undefined;
  private launching: Promise<void> | undefined;
  /** the process being killed: no longer alive, though its pipes may still be closing */
  private doomed: ChildProcess | undefined;
  /** settles when the current process's death has been handled (onDeath) */
  private died: Promise<void> = Promise.resolve();
  private markDied: () => void = () => undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextPage = 1;
  private readonly pages = new Map<number, PendingPage>();
  private stderrTail = '';
  private exitCalled: number | undefined;
  private readonly heapMb: number;
  private readonly memoryMb: number;
  private readonly capBytes: number;
  private readonly messageCapBytes: number;

  constructor(private readonly options: ProcessKernelOptions) {
    this.memoryMb = options.memoryMb ?? defaultMemoryMb();
    // V8's heap gets three quarters of the memory: Buffers, DuckDB and the rest share the remainder.
    this.heapMb = options.heapMb ?? Math.max(64, Math.floor((this.memoryMb * 3) / 4));
    this.capBytes = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES;
    this.messageCapBytes = options.messageCapBytes ?? Math.max(16 * 1024 * 1024, 4 * this.capBytes);
  }

  /** False from the moment the host decides to kill the process (a timeout, a fault), not only once it is gone. */
  get alive(): boolean {
    return this.child !== undefined && this.child !== this.doomed;
  }

  /** The kernel process id while alive (for diagnostics and RSS measurements). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Rejects (with the reason and the child's stderr) when the process cannot start. Calls made
   * while a start is under way share it: the start awaits before it spawns (the egress setting),
   * and a second spawn would leave a kernel nobody drives.
   */
  start(): Promise<void> {
    if (this.launching) return this.launching;
    if (this.alive) return Promise.resolve();
    const dying = this.child ? this.died : undefined;
    this.launching = (async () => {
      // A kernel being killed (timeout, fault) is replaced once it is gone, not alongside it.
      await dying;
      await this.launch();
    })().finally(() => {
      this.launching = undefined;
    });
    return this.launching;
  }

  private async launch(): Promise<void> {
    const entry = runtimeEntry();
    assertRuntimeBuilt(entry);
    const detected = sandboxSupport();
    const sandbox = this.options.sandbox === 'none' ? { ...detected, kind: 'none' as const } : detected;
    const sandboxed = sandbox.kind === 'bwrap';
    const user = resolveKernelUser(this.options.user, process.env, sandboxed);
    const workspace = realpathSync(this.options.workspace);
    if (user) {
      assertReadableBy(workspace, user);
      assertReadableBy(packageRoot(), user);
    }
    const scratch = this.makeScratch(user);
    const cwd = this.options.cwd === undefined ? workspace : realpathSync(this.options.cwd);
    const allow = this.options.egress?.allow ?? (await readEgressSetting(workspace));
    const egressSocket = allow?.length ? await this.startEgress(allow, scratch, user) : undefined;
    const view = await fileView({
      workspace,
      scratch,
      extraHidden: this.options.hidden ?? [],
      fileAccess: this.options.fileAccess,
      user,
      sandboxed,
    });
    const config: RuntimeConfig = {
      workspace,
      cwd,
      scratch,
      packageRoot: packageRoot(),
      outputCapBytes: this.capBytes,
      messageCapBytes: this.messageCapBytes,
      memoryMb: this.memoryMb,
      duckdbMemoryMb: Math.floor(this.memoryMb / 2),
      osSandbox: sandboxed,
      hidden: view.hidden,
      ...(view.ungranted.length > 0 ? { ungranted: view.ungranted } : {}),
      ...(view.shown.length > 0 ? { shown: view.shown } : {}),
      ...(view.readable ? { readable: view.readable } : {}),
      ...(this.options.notebook ? { notebook: realpathSync(this.options.notebook) } : {}),
      ...(egressSocket ? { egressSocket } : {}),
    };
    const niceness = kernelNiceness();
    const plan = launchPlan({
      entry,
      config,
      heapMb: this.heapMb,
      env: this.options.env,
      user,
      node: realpathSync(process.execPath),
      runtimePackages: runtimePackages(egressSocket !== undefined).map((path) => realpathSync(path)),
      sandbox,
      ...(sandboxed ? { system: systemLayout() } : {}),
      niceness,
      hiddenFiles: view.hiddenFiles,
      ...(view.readable ? { readable: view.readable } : {}),
    });
    this.stderrTail = '';
    this.exitCalled = undefined;
    const child = spawn(plan.execPath, plan.args, {
      cwd: plan.cwd,
      env: plan.env,
      // fd 3 is the kernel channel: a socket pair of our own framing, not Node's IPC (frames.ts).
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
      ...(plan.uid === undefined ? {} : { uid: plan.uid, gid: plan.gid }),
    });
    this.child = child;
    this.died = new Promise((resolve) => (this.markDied = resolve));
    lowerAutogroup(child.pid, niceness);
    track(child);
    this.wire(child);
    await this.waitReady(child);
  }

  /** The kernel's way out: a proxy on a socket in its scratch folder, closed with the kernel. */
  private async startEgress(allow: string[], scratch: string, user: KernelUser | undefined): Promise<string> {
    const { startEgressProxy } = await import('./egress/proxy.js');
    this.egress = await startEgressProxy({
      allow,
      socketPath: join(scratch, 'egress.sock'),
      ...(user ? { owner: user } : {}),
    });
    return this.egress.socketPath;
  }

  private makeScratch(user: KernelUser | undefined): string {
    const scratch = makeScratchDir();
    if (user) giveTo(scratch, user);
    this.scratch = scratch;
    return scratch;
  }

  private waitReady(child: ChildProcess): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 15_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.starting = undefined;
        killGroup(child);
        reject(new Error(`the kernel did not start within ${seconds(timeoutMs)}${this.stderrSuffix()}`));
      }, timeoutMs);
      this.starting = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  private stderrSuffix(): string {
    const tail = this.stderrTail.trim();
    return tail ? `:\n${tail.slice(-2000)}` : '';
  }

  private wire(child: ChildProcess): void {
    void loadProtocol();
    const channel = child.stdio[CHANNEL_FD] as Socket;
    this.channel = channel;
    const reader = new FrameReader(this.messageCapBytes, (message) => {
      if (protocol) this.onMessage(protocol, child, message);
      else void loadProtocol().then((loaded) => this.onMessage(loaded, child, message));
    });
    channel.on('data', (chunk: Buffer) => {
      if (child !== this.child) return;
      try {
        reader.push(chunk);
      } catch (error) {
        // The stream lost its framing (or a message was refused by its header): nothing more from
        // this kernel can be read, so it ends.
        channel.destroy();
        this.fault(
          error instanceof FrameTooLargeError
            ? `the kernel sent a message of ${error.size} bytes, over the channel limit of ${error.limit} bytes`
            : `the kernel sent bytes that are not a message (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    });
    // A write to a kernel that just died fails here; the exit handler reports the death.
    channel.on('error', () => {});
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.onRawStream('stdout', text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => this.onStderr(text));
    // 'error' covers spawn failures (EACCES on cwd, missing binary) and failed IPC writes.
    child.on('error', (error) => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) return;
      this.onDeath(child, null, null, error.message);
    });
    child.on('exit', (code, signal) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        this.onDeath(child, code, signal);
      };
      child.once('close', finish);
      setTimeout(finish, CLOSE_GRACE_MS).unref();
    });
  }

  private onStderr(chunk: string): void {
    const { text, exitCode } = stripExitMarker(chunk);
    if (exitCode !== undefined) this.exitCalled = exitCode;
    this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
    this.onRawStream('stderr', text);
  }

  /** Native writes to fd 1/2 (and anything the runtime did not capture) belong to the running cell. */
  private onRawStream(name: 'stdout' | 'stderr', text: string): void {
    if (text.length > 0) this.deliver({ mime: 'application/vnd.quire.stream+json', data: { name, text } });
  }

  private onMessage({ KernelNotification }: Protocol, child: ChildProcess, raw: unknown): void {
    if (child !== this.child) return;
    const parsed = KernelNotification.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid';
      this.fault(`the kernel sent a malformed message (${where})`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.starting?.resolve();
        this.starting = undefined;
        return;
      // Only the execution the host is waiting for may report; anything else (a stale id, a
      // guess, a forgery) is ignored.
      case 'cellOutput':
        if (this.running?.execution === message.execution) this.deliver(message.output);
        return;
      case 'cellFinished':
        if (this.running?.execution === message.execution) this.finish(this.finishedResult(message));
        return;
      case 'cellMetric':
        if (this.running?.execution === message.execution) this.recordMetric(this.running, message);
        return;
      case 'connectionQuery':
        void this.answerConnection(message);
        return;
      case 'tablePage':
        this.settlePage(message);
        return;
    }
  }

  /**
   * A page of a table value in the kernel's scope (by notebook name or by the cell that showed it).
   * Not queued behind running cells; rejects when the kernel has no such table, is not running,
   * dies, or does not answer within `timeoutMs`.
   */
  tablePage(request: TablePageRequest, timeoutMs = TABLE_PAGE_TIMEOUT_MS): Promise<KernelTablePage> {
    const requestId = this.nextPage++;
    return new Promise<KernelTablePage>((resolve, reject) => {
      if (!this.alive) return reject(new Error('the kernel is not running'));
      const timer = setTimeout(() => {
        this.pages.delete(requestId);
        reject(new Error(`the kernel did not answer the table page within ${seconds(timeoutMs)}`));
      }, timeoutMs);
      this.pages.set(requestId, { resolve, reject, timer });
      if (!this.post({ type: 'tablePage', requestId, ...request })) {
        this.pages.delete(requestId);
        clearTimeout(timer);
        reject(new Error('the kernel is not running'));
      }
    });
  }

  private settlePage(message: TablePageResult): void {
    const pending = this.pages.get(message.requestId);
    if (!pending) return;
    this.pages.delete(message.requestId);
    clearTimeout(pending.timer);
    const { columns, rows, rowCount, offset } = message;
    if (!message.ok || !columns || !rows || rowCount === undefined || offset === undefined) {
      pending.reject(new Error(message.error ?? 'the kernel sent an incomplete table page'));
      return;
    }
    if (rows.some((row) => row.length !== columns.length)) {
      pending.reject(new Error('the kernel sent a table page whose rows do not match its columns'));
      return;
    }
    pending.resolve({
      columns,
      rows,
      rowCount,
      offset,
      ...(message.source ? { source: message.source } : {}),
    });
  }

  private rejectPages(reason: string): void {
    for (const [id, pending] of this.pages) {
      this.pages.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new Error(reason));
    }
  }

  private finishedResult(message: CellFinished): ExecutionResult {
    const result: ExecutionResult = {
      status: message.status,
      durationMs: message.durationMs,
      declared: message.declared,
    };
    if (message.status === 'error') result.failure = 'exception';
    if (message.error) result.error = message.error;
    if (message.versions) result.versions = message.versions;
    return result;
  }

  /** Passes an output of the running cell through the host's own budget (the runtime's is not trusted). */
  private deliver(output: Output): void {
    const running = this.running;
    if (!running) return;
    for (const admitted of running.budget.admit(output)) {
      try {
        running.onOutput(admitted);
      } catch {
        // A faulty output callback is the caller's bug; it must not break the kernel's bookkeeping.
      }
    }
  }

  private recordMetric(running: Running, message: CellMetric): void {
    try {
      running.onMetric(message.name, message.value);
    } catch {
      // As for outputs: the caller's callback must not break the kernel's bookkeeping.
    }
  }

  private async answerConnection(query: ConnectionQuery): Promise<void> {
    const base = { type: 'connectionResult' as const, requestId: query.requestId };
    const provider = this.options.connections;
    let reply: KernelCommand;
    if (!provider) {
      reply = { ...base, ok: false, error: `no connection named "${query.connection}" is configured` };
    } else {
      try {
        const result = await provider.query(query.connection, query.sql, query.parameters);
        reply = { ...base, ok: true, columns: result.columns, rows: result.rows };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        reply = { ...base, ok: false, error: `connection "${query.connection}": ${reason}` };
      }
    }
    this.post(reply);
  }

  /** Sends a command to the child; false when the channel is gone (the death handler reports it). */
  private post(command: KernelCommand): boolean {
    const channel = this.channel;
    if (!this.child || !channel || channel.destroyed || !channel.writable) return false;
    let frame: Buffer;
    try {
      frame = encodeFrame(command);
    } catch (error) {
      this.fault(`could not send to the kernel: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    channel.write(frame);
    return true;
  }

  execute(command: ExecuteCommand, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const result = this.queue.then(() => this.run(command, options));
    this.queue = result;
    return result;
  }

  send(command: ScopeCommand): void {
    // Queued behind pending executions so the kernel sees commands in the order they were issued.
    this.queue = this.queue.then(() => void this.post(command));
  }

  private run(command: ExecuteCommand, options: ExecuteOptions): Promise<ExecutionResult> {
    if (!this.alive) return Promise.resolve(errorResult('crash', 'KernelError', 'the kernel is not running'));
    // A random id per execution: a cell cannot predict the next one, so it cannot finish it.
    const execution = randomUUID();
    return new Promise<ExecutionResult>((resolve) => {
      const running: Running = {
        execution,
        budget: new OutputBudget(this.capBytes),
        onOutput: options.onOutput ?? (() => {}),
        onMetric: options.onMetric ?? (() => {}),
        started: performance.now(),
        resolve,
      };
      this.running = running;
      if (options.timeoutMs !== undefined) {
        const limit = options.timeoutMs;
        running.timer = setTimeout(() => this.timeout(running, limit), limit);
      }
      this.post({ ...command, execution } as KernelCommand);
    });
  }

  private timeout(running: Running, limitMs: number): void {
    if (this.running !== running) return;
    const message = `cell exceeded its time limit of ${seconds(limitMs)}`;
    this.finish(errorResult('timeout', 'TimeoutError', message, performance.now() - running.started));
    if (this.child) this.kill(this.child);
  }

  private finish(result: ExecutionResult): void {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    clearTimeout(running.timer);
    running.resolve(result);
  }

  /** The kernel broke the protocol: it can no longer be trusted, so it is killed. */
  private fault(reason: string): void {
    const child = this.child;
    if (!child) return;
    const running = this.running;
    if (running)
      this.finish(errorResult('crash', 'KernelError', reason, performance.now() - running.started));
    this.kill(child);
  }

  private kill(child: ChildProcess): void {
    this.doomed = child;
    killGroup(child);
  }

  private onDeath(
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError?: string,
  ): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.doomed = undefined;
    this.channel = undefined;
    untrack(child);
    this.rejectPages('the kernel stopped before answering the table page');
    this.removeScratch();
    const reason =
      spawnError ??
      describeExit({
        code,
        signal,
        stderrTail: this.stderrTail,
        exitCalled: this.exitCalled,
        heapMb: this.heapMb,
        memoryMb: this.memoryMb,
      });
    if (this.starting) {
      this.starting.reject(new Error(`the kernel failed to start: ${reason}${this.stderrSuffix()}`));
      this.starting = undefined;
    }
    const running = this.running;
    if (running)
      this.finish(errorResult('crash', 'KernelCrash', reason, performance.now() - running.started));
    this.markDied();
  }

  private removeScratch(): void {
    const egress = this.egress;
    this.egress = undefined;
    void egress?.close().catch(() => undefined);
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
  }

  async shutdown(): Promise<void> {
    // A start under way spawns after this returns unless it is waited for: its kernel would be left.
    if (this.launching) await this.launching.catch(() => undefined);
    const child = this.child;
    if (!child) return this.removeScratch();
    // Already exited (its pipes still closing): nothing to wait for.
    if (child.exitCode !== null || child.signalCode !== null)
      return this.onDeath(child, child.exitCode, child.signalCode);
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.post({ type: 'shutdown' });
    const timer = setTimeout(() => killGroup(child), 1000);
    await gone;
    clearTimeout(timer);
    // onDeath runs after the pipes close; make sure bookkeeping is done before resolving.
    this.onDeath(child, child.exitCode, child.signalCode);
  }
}
