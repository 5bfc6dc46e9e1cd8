/**
 * The registry of notebook sessions of one server: at most one session per (notebook path, user),
 * made on the user's first `open` and kept (with its outputs) until the server closes; its kernel
 * stops when idle. Watches the workspace and hands changes on disk to every session of that file.
 *
 * Per user (accounts mode): each user's session runs its own kernel, so the values a user's
 * grants and secrets let their cells compute, and the outputs showing them, never reach another
 * user's browser. Two users on one notebook do not edit together: the file is what they share.
 * A save goes through the file's version check as any save does (the later of two conflicting
 * saves gets `conflict`), and the other users' sessions of the file hear of it as of a change on
 * disk (the watcher does not report the server's own writes, so the registry tells them). Tabs of one user share that user's session, as before. In single-user mode there
 * is one user, so one session per notebook, as before.
 *
 * Quota (`kernelsPerUser`, accounts mode): the sessions a user holds — attached to one of their
 * connections, or with a kernel started — are limited. An open past it first stops the idle kernels
 * of the user's sessions no connection shows any more; if that frees no place it is refused with a
 * QuotaError naming the limit and the notebooks held.
 */
import { OWNER, type User } from './auth.js';
import {
  NotebookSession,
  type NotebookSessionOptions,
  type SavedNotebook,
  type SessionClient,
} from './notebook-session.js';
import { existsOnce } from './session-file-access.js';
import type { WorkspaceFiles } from './workspace-files.js';

export interface NotebookSessionsOptions extends NotebookSessionOptions {
  /** how often the workspace is polled for changes on disk (default 1 s) */
  watchIntervalMs?: number;
  logError?: (error: unknown) => void;
  /** sessions (each with its own kernel) one user may hold at once; undefined: no limit */
  kernelsPerUser?: number;
  /** whether a notebook is locked now (the server's rules): a change is sent to its sessions */
  locked?: (path: string) => boolean;
}

/** An open refused because the user holds their quota of sessions already. */
export class QuotaError extends Error {
  override readonly name = 'QuotaError';
  constructor(
    readonly limit: number,
    /** the notebooks the user holds a session of */
    readonly held: readonly string[],
  ) {
    super(
      `quota: you have ${held.length} notebook session${held.length === 1 ? '' : 's'} open, each with its own kernel ` +
        `(${held.join(', ')}); the limit is ${limit} per user (quotas.kernelsPerUser in quire.config.json, or quire serve --kernels-per-user): ` +
        `close one of them (its tab) and open this one again`,
    );
  }
}

interface Entry {
  path: string;
  userId: string;
  opening: Promise<NotebookSession>;
  /** set once the open succeeded */
  session?: NotebookSession;
  /** whether the notebook was locked at the last reload of the rules */
  locked?: boolean;
}

const keyOf = (userId: string, path: string): string => JSON.stringify([userId, path]);

export class NotebookSessions {
  private readonly entries = new Map<string, Entry>();
  private readonly stopWatching: () => void;

  constructor(
    private readonly files: WorkspaceFiles,
    private readonly options: NotebookSessionsOptions,
  ) {
    this.stopWatching = files.watch(
      (change) => {
        for (const entry of this.entries.values()) {
          if (entry.path !== change.path) continue;
          void entry.opening
            .then((session) => session.diskChanged(change))
            .catch((error: unknown) => this.options.logError?.(error));
        }
      },
      { intervalMs: options.watchIntervalMs ?? 1000 },
    );
  }

  /**
   * The session of `path` (a workspace path; checked by WorkspaceFiles) for `user`, opened on
   * first use. `leaving`: the connection asking, which leaves the session it shows for this one
   * (it does not hold that one against the quota). Rejects with QuotaError past the user's quota.
   */
  async open(path: string, user: User = OWNER, leaving?: SessionClient): Promise<NotebookSession> {
    const relative = this.files.resolve(path).relative;
    const key = keyOf(user.id, relative);
    const existing = this.entries.get(key);
    // Quotas are per account: the single-user owner (no role) has none, also after the server
    // turned to accounts (that owner's sessions are ended then).
    const limit = user.role === undefined ? undefined : this.options.kernelsPerUser;
    // A session the user holds already is theirs to show again; one they left takes a place back.
    if (existing && (limit === undefined || this.isHeld(existing, leaving))) return existing.opening;
    if (limit !== undefined && this.held(user.id, leaving).length >= limit) {
      await this.releaseDetached(user.id, leaving);
      // Counted again with nothing awaited between the count and the new entry: two opens of one
      // user at once cannot both take the last place.
      // Made by another open of this user meanwhile: shared, it takes no second place.
      const made = this.entries.get(key);
      if (made && made !== existing) return made.opening;
      const held = this.held(user.id, leaving);
      if (held.length >= limit)
        throw new QuotaError(
          limit,
          held.map((e) => e.path),
        );
    }
    const current = this.entries.get(key);
    if (current) return current.opening;
    const opening = NotebookSession.open(this.files, relative, this.sessionOptions(), user);
    const entry: Entry = { path: relative, userId: user.id, opening };
    this.entries.set(key, entry);
    opening.then(
      (session) => (entry.session = session),
      // A failed open (no such file) is not kept: the next open tries again.
      () => this.entries.delete(key),
    );
    return opening;
  }

  /** The sessions open now (those whose open succeeded), e.g. for the metrics gauges. */
  async list(): Promise<NotebookSession[]> {
    const settled = await Promise.all(
      [...this.entries.values()].map((e) => e.opening.catch(() => undefined)),
    );
    return settled.filter((s): s is NotebookSession => s !== undefined);
  }

  /**
   * The access rules reloaded: each session whose kernel no longer sees what its user may read
   * stops it (notebook-session.ts `recheckFileAccess`), and each session whose notebook was locked
   * or unlocked since sends its connections a snapshot (each carries its own user's access, so the
   * page turns read-only or editable without a reload). Resolves to how many kernels stopped.
   */
  async rulesReloaded(): Promise<number> {
    const sessions = [...this.entries.values()].flatMap((e) => (e.session ? [e.session] : []));
    for (const entry of this.entries.values()) {
      const locked = this.options.locked?.(entry.path);
      if (locked === undefined || !entry.session) continue;
      const changed = entry.locked !== undefined && entry.locked !== locked;
      entry.locked = locked;
      if (changed) entry.session.broadcast(entry.session.snapshot());
    }
    // One stat per path the grants name, however many sessions ask.
    const exists = existsOnce();
    const stopped = await Promise.all(
      sessions.map((session) =>
        session.recheckFileAccess(exists).catch((error: unknown) => {
          this.options.logError?.(error);
          return false;
        }),
      ),
    );
    return stopped.filter(Boolean).length;
  }

  /** Stops watching and shuts every session's kernel down. */
  async close(): Promise<void> {
    this.stopWatching();
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      entries.map((e) => e.opening.then((session) => session.close()).catch(() => undefined)),
    );
  }

  /** The user's sessions that count against the quota: shown by a connection (not `leaving`), or with a kernel. */
  private held(userId: string, leaving: SessionClient | undefined): Entry[] {
    return [...this.entries.values()].filter((e) => e.userId === userId && this.isHeld(e, leaving));
  }

  private isHeld(entry: Entry, leaving: SessionClient | undefined): boolean {
    const session = entry.session;
    if (!session) return true; // opening now: a connection is about to show it
    const shown = [...session.clients].some((client) => client !== leaving);
    return shown || session.kernelStarted;
  }

  /** Stops the idle kernels of the user's sessions no other connection shows (their outputs stay). */
  private async releaseDetached(userId: string, leaving: SessionClient | undefined): Promise<void> {
    const detached = [...this.entries.values()].flatMap((entry) => {
      const session = entry.session;
      if (entry.userId !== userId || !session?.kernelStarted) return [];
      return [...session.clients].some((client) => client !== leaving) ? [] : [session];
    });
    await Promise.all(detached.map((session) => session.releaseIdleKernel()));
  }

  /**
   * What each session is given: the registry's options, with a save hook that tells the file's
   * other sessions and cannot fail the save.
   */
  private sessionOptions(): NotebookSessionOptions {
    const { onSaved, logError } = this.options;
    return {
      ...this.options,
      onSaved: async (saved: SavedNotebook) => {
        for (const entry of this.entries.values()) {
          if (entry.path !== saved.path || !entry.session || entry.session === saved.session) continue;
          void entry.session
            .diskChanged({ path: saved.path, kind: 'changed', version: saved.version })
            .catch((error: unknown) => logError?.(error));
        }
        try {
          await onSaved?.(saved);
        } catch (error) {
          logError?.(error);
        }
      },
    };
  }
}
