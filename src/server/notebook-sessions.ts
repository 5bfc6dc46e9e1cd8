/**
 * The registry of notebook sessions of one server: at most one session per notebook path, made
 * on the first `open` and kept (with its outputs) until the server closes; its kernel stops when
 * idle. Watches the workspace and hands changes on disk to the session of that file.
 */
import { NotebookSession, type NotebookSessionOptions } from './notebook-session.js';
import type { WorkspaceFiles } from './workspace-files.js';

export interface NotebookSessionsOptions extends NotebookSessionOptions {
  /** how often the workspace is polled for changes on disk (default 1 s) */
  watchIntervalMs?: number;
  logError?: (error: unknown) => void;
}

export class NotebookSessions {
  private readonly byPath = new Map<string, Promise<NotebookSession>>();
  private readonly stopWatching: () => void;

  constructor(
    private readonly files: WorkspaceFiles,
    private readonly options: NotebookSessionsOptions,
  ) {
    this.stopWatching = files.watch(
      (change) => {
        void this.byPath
          .get(change.path)
          ?.then((session) => session.diskChanged(change))
          .catch((error: unknown) => this.options.logError?.(error));
      },
      { intervalMs: options.watchIntervalMs ?? 1000 },
    );
  }

  /** The session of `path` (a workspace path; checked by WorkspaceFiles), opened on first use. */
  async open(path: string): Promise<NotebookSession> {
    const key = this.files.resolve(path).relative;
    let session = this.byPath.get(key);
    if (!session) {
      session = NotebookSession.open(this.files, key, this.options);
      this.byPath.set(key, session);
      // A failed open (no such file) is not kept: the next open tries again.
      session.catch(() => this.byPath.delete(key));
    }
    return session;
  }

  /** The sessions open now (those whose open succeeded), e.g. for the metrics gauges. */
  async list(): Promise<NotebookSession[]> {
    const settled = await Promise.all([...this.byPath.values()].map((s) => s.catch(() => undefined)));
    return settled.filter((s): s is NotebookSession => s !== undefined);
  }

  /** Stops watching and shuts every session's kernel down. */
  async close(): Promise<void> {
    this.stopWatching();
    const sessions = [...this.byPath.values()];
    this.byPath.clear();
    await Promise.all(sessions.map((s) => s.then((session) => session.close()).catch(() => undefined)));
  }
}
