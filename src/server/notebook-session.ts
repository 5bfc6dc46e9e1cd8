/**
 * One server-side session per open notebook and user, shared by every client of that user that
 * opens it (issue 3; notebook-sessions.ts keys them). It
 * holds an `Engine`, which owns the notebook document (text, cells under stable ids, their
 * state: engine/document/) and whose kernel starts on the first run, and the clients to notify.
 * The session only transports: a client's command becomes an operation on the document, and
 * what the operation says and the engine reports become notifications. The document lives on
 * the server, not in a browser: a client that closes its tab mid-run loses nothing, and the next
 * `open` gets a snapshot with whatever arrived meanwhile.
 *
 * Commands are handled one at a time (a chain), so a save never interleaves with an edit. It must
 * not know about sockets: ws.ts turns frames into commands and notifications into frames.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { analyzeCell } from '../analysis/index.js';
import { loadDocument } from '../engine/document/index.js';
import { Engine } from '../engine/engine.js';
import type { CellStatusNotification } from '../engine/state/index.js';
import { NotebookEditError, NotebookParseError } from '../format/errors.js';
import { parseNotebook, serializeNotebook } from '../format/index.js';
import type { Notebook, ParamValue } from '../format/types.js';
import type { KernelFactory, KernelFileAccess } from '../kernel/types.js';
import { MAX_TIMER_MS } from '../runner/limits.js';
import type { SecretSource } from '../secrets/source.js';
import type { ClientCommand, CommandOf, ServerNotification, Snapshot } from '../protocol/index.js';
import { editNotifications, editOperation, type EditCommand } from './session-edits.js';
import { SessionMetrics } from './session-metrics.js';
import { SessionFileAccess, type Exists } from './session-file-access.js';
import { sessionKernel, type SessionKernel } from './session-kernel.js';
import { HOST_USER } from '../secrets/grants.js';
import { SessionRuns, type RecordRunsOptions, type RunAllContext } from './session-runs.js';
import { documentView, redactError } from './session-view.js';
import { pageOf } from './session-table.js';
import type { NotebookChange, WorkspaceFiles } from './workspace-files.js';
import type { QuireMetrics } from '../metrics/registry.js';
import { OWNER, type User } from './auth.js';

/** Where a session's notifications go: one per connected client. */
export interface SessionClient {
  send(notification: ServerNotification): void;
  /** the quire user of the connection (a run's secret reads are recorded as theirs) */
  user?: string;
}

export interface NotebookSessionOptions {
  /** makes the sessions' kernels (the server's start passes the default, kernel/factory.ts) */
  kernels: KernelFactory;
  /** where the cells' secrets come from (the server's start decides) */
  secrets: SecretSource;
  /** the kernel is shut down after this long without a run (default 10 min); the next run starts one */
  idleKernelMs?: number;
  heapMb?: number;
  /** hears every executed cell's duration and every kernel crash */
  metrics?: Pick<QuireMetrics, 'cellFinished' | 'kernelCrashed'>;
  /** records each Run all in the run history (session-runs.ts); without it nothing is recorded */
  recordRuns?: RecordRunsOptions;
  /** a save of this session reached the disk (other users' sessions hear of it; a schedule's owner is recorded) */
  onSaved?: (saved: SavedNotebook) => void | Promise<void>;
  /** what a user's kernels may not read (their grants); absent or undefined: all of the workspace */
  fileAccess?: (user: User) => KernelFileAccess | undefined;
}

/** A save that reached the disk: by whom, what, and its new version. */
export interface SavedNotebook {
  path: string;
  text: string;
  version: string;
  user: User;
  /** the session that saved */
  session: NotebookSession;
}

export const DEFAULT_IDLE_KERNEL_MS = 10 * 60 * 1000;

interface Live {
  engine: Engine;
  kernel: SessionKernel;
}

type Raw = { text: string; parseError: { message: string; line: number; column: number } };

export class NotebookSession {
  readonly clients = new Set<SessionClient>();
  private live: Live | undefined;
  private raw: Raw | undefined;
  /** the version on disk that `savedText` has (null: no file) */
  private version: string | null = null;
  private savedText = '';
  private chain: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private hasKernel = false;
  private readonly measure: SessionMetrics;
  private readonly runs: SessionRuns | undefined;
  /** this session's id in the audit log's `secret.read` */
  private readonly id = randomBytes(6).toString('hex');
  /** who sent the last run command: the cells it runs read secrets for them */
  private runBy: string | null = null;
  /** what the session's kernel may read, and whether that is still its user's */
  private readonly access: SessionFileAccess;

  private constructor(
    readonly path: string,
    private readonly files: WorkspaceFiles,
    private readonly options: NotebookSessionOptions,
    /** whose session this is: its kernel runs their cells, its saves are theirs */
    readonly user: User,
  ) {
    this.measure = new SessionMetrics(options.metrics);
    this.access = new SessionFileAccess(files.root, () => options.fileAccess?.(this.user));
    const record = options.recordRuns;
    this.runs =
      record &&
      new SessionRuns({
        ...record,
        workspace: files.root,
        path,
        text: () => this.text,
        notify: (n) => this.broadcast(n),
      });
  }

  static async open(
    files: WorkspaceFiles,
    path: string,
    options: NotebookSessionOptions,
    user: User = OWNER,
  ): Promise<NotebookSession> {
    const session = new NotebookSession(path, files, options, user);
    const { text, version } = await files.read(path);
    session.load(text, version);
    return session;
  }

  /** The text a save writes now. */
  get text(): string {
    return this.live
      ? serializeNotebook(this.live.engine.document.notebook)
      : (this.raw?.text ?? this.savedText);
  }

  get dirty(): boolean {
    return this.text !== this.savedText;
  }

  /** a kernel was started and not stopped since (idle shutdown, reload) */
  get kernelStarted(): boolean {
    return this.hasKernel;
  }

  /** The process id of the session's kernel while one runs (diagnostics; tests kill it). */
  get kernelPid(): number | undefined {
    return this.hasKernel ? this.live?.kernel.current?.pid : undefined;
  }

  /** Handles one client command; every outcome is a notification, nothing throws. */
  handle(client: SessionClient, command: ClientCommand): Promise<void> {
    // Pages only read state, and may wait on the kernel: they do not hold up edits and runs.
    if (command.type === 'tablePage') {
      return this.tablePage(client, command).catch((error: unknown) => {
        client.send({ type: 'error', requestId: command.requestId, message: messageOf(error) });
      });
    }
    const next = this.chain.then(() => this.apply(client, command));
    this.chain = next.catch(() => undefined);
    return next.catch((error: unknown) => {
      client.send({ type: 'error', requestId: command.requestId, message: messageOf(error) });
    });
  }

  snapshot(requestId?: string): Snapshot {
    const base = { type: 'snapshot' as const, ...(requestId ? { requestId } : {}), path: this.path };
    const common = { version: this.version, text: this.text, dirty: this.dirty };
    if (!this.live) {
      return {
        ...base,
        ...common,
        cells: [],
        params: { schema: [], values: {} },
        ...(this.raw ? { parseError: this.raw.parseError } : {}),
      };
    }
    const { engine, kernel } = this.live;
    return { ...base, ...common, ...documentView(engine.document, engine.results, kernel.redactor) };
  }

  broadcast(notification: ServerNotification, except?: SessionClient): void {
    for (const client of this.clients) if (client !== except) client.send(notification);
  }

  /** The file changed on disk (someone else wrote it). */
  async diskChanged(change: NotebookChange): Promise<void> {
    if (change.version === this.version) return;
    if (this.dirty || change.version === null) {
      this.broadcast({ type: 'externalChange', version: change.version });
      return;
    }
    const { text, version } = await this.files.read(this.path);
    if (this.dirty) return this.broadcast({ type: 'externalChange', version });
    this.load(text, version);
    this.broadcast(this.snapshot());
  }

  /**
   * Stops the kernel now unless a cell runs or waits (a user's quota needs the place); the outputs
   * stay, as after an idle stop. Resolves to whether the session is left without a kernel.
   */
  releaseIdleKernel(): Promise<boolean> {
    const next = this.chain.then(() => this.stopIdleKernel()).then(() => !this.hasKernel);
    this.chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /**
   * The rules reloaded: when the kernel's view of the workspace is no longer its user's (a grant
   * revoked or given, a role changed, a hidden path made on disk), the kernel stops at once — a
   * running cell too, as an interrupt does — and the next run starts one with the current view.
   * Resolves to whether a kernel was stopped.
   */
  recheckFileAccess(exists?: Exists): Promise<boolean> {
    const next = this.chain.then(async () => {
      const live = this.live;
      if (!live || !this.hasKernel || !this.access.outdated(exists)) return false;
      const { running, queue } = live.engine.state;
      if (running !== null || queue.length > 0) {
        this.measure.interrupting(running !== null);
        this.runs?.interrupt();
        live.engine.dispatch({ type: 'interrupt' });
      }
      await live.engine.killKernel();
      live.engine.dispatch({ type: 'kernelRestarted' });
      this.hasKernel = false;
      this.access.forget();
      return true;
    });
    this.chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    await this.unload();
    await this.runs?.settled();
  }

  // ---- commands ------------------------------------------------------------------------------

  private async apply(client: SessionClient, command: ClientCommand): Promise<void> {
    if (command.type === 'open') return client.send(this.snapshot(command.requestId));
    if (command.type === 'saveRaw') return this.saveRaw(client, command);
    if (command.type === 'save') return this.save(client, command);
    if (command.type === 'revert') return this.revert(client, command);
    const live = this.live;
    if (!live) throw new Error('the notebook does not parse: fix its text with saveRaw first');
    // Setting params re-runs the cells that read them: a run command too.
    if (['runCell', 'runAll', 'runStale', 'setParams'].includes(command.type))
      this.runBy = client.user ?? null;
    switch (command.type) {
      case 'editCell':
      case 'insertCell':
      case 'deleteCell':
      case 'moveCell':
      case 'renameCell':
        return this.edit(client, live, command);
      case 'runCell': {
        const refused = live.engine.dispatch({ type: 'runCell', id: command.cellId })?.error;
        if (refused !== undefined) throw new Error(refused);
        this.touch();
        return client.send({ type: 'ack', requestId: command.requestId });
      }
      case 'runAll':
      case 'runStale':
        this.touch();
        // Run all is a run of the notebook, kept in the history; a stale or single cell is exploration.
        if (command.type === 'runAll') this.runs?.runAll(this.runContext(live));
        live.engine.dispatch({ type: command.type });
        return client.send({ type: 'ack', requestId: command.requestId });
      case 'interrupt':
        this.measure.interrupting(live.engine.state.running !== null);
        this.runs?.interrupt();
        live.engine.dispatch({ type: 'interrupt' });
        return client.send({ type: 'ack', requestId: command.requestId });
      case 'setParams': {
        const refused = live.engine.dispatch({ type: 'setParams', values: command.values })?.error;
        if (refused !== undefined) throw new Error(refused);
        client.send({ type: 'ack', requestId: command.requestId });
        return this.broadcast(this.snapshot());
      }
      case 'tablePage':
        return this.tablePage(client, command);
    }
  }

  /** An edit of the document: an operation of the engine's; who hears what is session-edits.ts's. */
  private edit(client: SessionClient, live: Live, command: EditCommand): void {
    const said = live.engine.dispatch(editOperation(command)) ?? {};
    if (said.error !== undefined) throw new NotebookEditError(said.error);
    const heard = editNotifications(command, said, live.engine.document, {
      dirty: this.dirty,
      snapshot: () => this.snapshot(),
    });
    for (const n of heard.sender) client.send(n);
    for (const other of this.clients) if (other !== client) for (const n of heard.others) other.send(n);
  }

  /** A page of a cell's table output, from the kernel while it holds the value, else the preview. */
  private async tablePage(client: SessionClient, command: CommandOf<'tablePage'>): Promise<void> {
    const live = this.live;
    if (!live) throw new Error('the notebook does not parse: fix its text with saveRaw first');
    const kernel = live.kernel.current;
    const { page, fromKernel } = await pageOf(command, {
      result: live.engine.results.get(command.cellId),
      status: live.engine.state.runtime.get(command.cellId)?.status,
      kernel: this.hasKernel && kernel?.alive === true ? kernel : undefined,
      redactor: live.kernel.redactor,
    });
    if (fromKernel && this.live === live) this.touch();
    client.send(page);
  }

  private async save(client: SessionClient, command: CommandOf<'save'>): Promise<void> {
    if (!this.live) throw new Error('the notebook does not parse: save its text with saveRaw');
    const text = this.text;
    const result = await this.files.save(this.path, text, command.baseVersion);
    if (!result.ok) {
      return client.send({
        type: 'conflict',
        requestId: command.requestId,
        currentVersion: result.currentVersion,
      });
    }
    this.version = result.version;
    this.savedText = text;
    await this.options.onSaved?.({
      path: this.path,
      text,
      version: result.version,
      user: this.user,
      session: this,
    });
    this.broadcast({ type: 'saved', requestId: command.requestId, version: result.version });
  }

  /**
   * Drops the unsaved edits: the text on disk is loaded again (raw mode included), which means a
   * fresh engine and kernel, as for a change on disk. A session without edits whose file did not
   * change keeps its engine, kernel and outputs; every client gets a snapshot either way.
   */
  private async revert(client: SessionClient, command: CommandOf<'revert'>): Promise<void> {
    const { text, version } = await this.files.read(this.path);
    if (this.dirty || version !== this.version) this.load(text, version);
    client.send(this.snapshot(command.requestId));
    this.broadcast(this.snapshot(), client);
  }

  private async saveRaw(client: SessionClient, command: CommandOf<'saveRaw'>): Promise<void> {
    if (this.live) throw new Error('saveRaw is only for a notebook that does not parse (raw mode)');
    const result = await this.files.save(this.path, command.text, command.baseVersion);
    if (!result.ok) {
      return client.send({
        type: 'conflict',
        requestId: command.requestId,
        currentVersion: result.currentVersion,
      });
    }
    this.load(command.text, result.version);
    await this.options.onSaved?.({
      path: this.path,
      text: command.text,
      version: result.version,
      user: this.user,
      session: this,
    });
    client.send({ type: 'saved', requestId: command.requestId, version: result.version });
    this.broadcast(this.snapshot());
  }

  // ---- loading and the kernel ------------------------------------------------------------------

  /** (Re)loads from text on disk: a fresh engine (the old kernel is shut down), or raw mode. */
  private load(text: string, version: string | null): void {
    void this.unload();
    this.version = version;
    this.savedText = text;
    this.raw = undefined;
    let notebook: Notebook;
    try {
      notebook = parseNotebook(text, { path: this.path }).notebook;
    } catch (error) {
      if (!(error instanceof NotebookParseError)) throw error;
      const message = error.message.replace(/^.*?:\d+:\d+: /, '');
      this.raw = { text, parseError: { message, line: error.line, column: error.column } };
      return;
    }
    const fm = notebook.frontMatter;
    const params = Object.fromEntries(
      (fm?.params ?? []).flatMap((p) => (p.default === undefined ? [] : [[p.name, p.default]])),
    ) as Record<string, ParamValue>;
    const absolute = this.files.resolve(this.path).absolute;
    const kernel = sessionKernel({
      workspace: this.files.root,
      notebookPath: this.path,
      notebookDir: dirname(absolute),
      heapMb: this.options.heapMb,
      frontTimeoutMs: fm?.timeoutMs,
      kernels: this.options.kernels,
      secrets: this.options.secrets,
      // An account reads as itself; the single-user owner (no role) is the host's owner.
      user:
        this.user.role === undefined
          ? HOST_USER
          : { kind: 'account', id: this.user.id, name: this.user.name },
      reader: () => ({ session: this.id, path: this.path, user: this.runBy }),
      fileAccess: () => this.access.forStart(),
    });
    const engine = new Engine(loadDocument(notebook, { params, analyze: analyzeCell }), {
      ...kernel.options,
      createKernel: () => {
        this.hasKernel = true;
        return kernel.options.createKernel();
      },
    });
    const live: Live = { engine, kernel };
    engine.on('notification', (n) => this.live === live && this.onStatus(live, n));
    engine.on('output', (cellId, output) => {
      if (this.live === live) this.broadcast({ type: 'cellOutput', cellId, output });
    });
    engine.on('runFinished', () => this.live === live && this.touch());
    this.live = live;
  }

  private onStatus(live: Live, n: CellStatusNotification): void {
    this.measure.status(live.engine, n);
    const error = redactError(n.error, live.kernel.redactor);
    const result = live.engine.results.get(n.cellId);
    const finished = n.status === 'ok' || n.status === 'error';
    this.broadcast({
      type: 'cellStatus',
      cellId: n.cellId,
      status: n.status,
      ...(finished && result ? { durationMs: result.durationMs } : {}),
      ...(error ? { error } : {}),
      ...(n.skippedBecause ? { skippedBecause: n.skippedBecause } : {}),
    });
  }

  private runContext(live: Live): RunAllContext {
    const { engine, kernel } = live;
    return { engine, text: this.text, redactor: kernel.redactor, secrets: kernel.secrets };
  }

  private async unload(): Promise<void> {
    this.runs?.abandon(
      this.closed ? 'the server stopped during the run' : 'the notebook was reloaded during the run',
    );
    const live = this.live;
    this.live = undefined;
    this.hasKernel = false;
    this.access.forget();
    if (!live) return;
    await live.engine.close();
    await live.kernel.close();
  }

  /** Activity: the idle clock starts again; when it runs out with nothing running, the kernel stops. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.closed) return;
    const ms = Math.min(this.options.idleKernelMs ?? DEFAULT_IDLE_KERNEL_MS, MAX_TIMER_MS);
    // On the command chain: a command that arrives meanwhile waits for the kernel to be gone.
    this.idleTimer = setTimeout(() => {
      this.chain = this.chain.then(() => this.stopIdleKernel()).catch(() => undefined);
    }, ms);
    this.idleTimer.unref();
  }

  private async stopIdleKernel(): Promise<void> {
    const live = this.live;
    if (!live || !this.hasKernel) return;
    const { running, queue } = live.engine.state;
    if (running !== null || queue.length > 0) return this.touch();
    await live.engine.killKernel();
    // Every value is gone with the process: the engine recomputes what the next run needs.
    live.engine.dispatch({ type: 'kernelRestarted' });
    this.hasKernel = false;
    this.access.forget();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
