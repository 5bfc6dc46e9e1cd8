/**
 * The notebook file service: list, read, save and watch the `*.nb.md` files of one workspace.
 * No HTTP here; routes call it. Every path goes through `resolveInWorkspace`, and only notebook
 * files (`*.nb.md`, outside dot-folders and node_modules) can be read or written, so the API can
 * never write `.git/hooks/…` or any other file that would run code.
 *
 * Versions are the sha256 of the file's bytes. A save names the version it was based on; when the
 * file on disk is different, the save is refused with the current version (a conflict), so newer
 * work is never overwritten. Saves within this process are serialized per file; between processes
 * the check and the rename are not one atomic step (a window of one write), which is acceptable for
 * an editor and documented in docs/server.md.
 */
import { readFile } from 'node:fs/promises';
import { decodeLossless, encodeLossless } from '../format/lossless-utf8.js';
import { NOTEBOOK_SUFFIX, NotebookScanner, matchesQuery, versionOf, type NotebookEntry } from './scan.js';
import { writeFileAtomic } from './atomic-write.js';
import { moveToTrash } from './trash.js';
import { PathError, resolveInWorkspace, type WorkspacePath } from './paths.js';
import { NotebookWatcher, type ChangeListener } from './watcher.js';

export type { NotebookEntry } from './scan.js';
export type { NotebookChange } from './watcher.js';

/** A notebook's text and the version a later save must name. */
export interface NotebookText {
  text: string;
  version: string;
}

/** The result of a save: the new version, or a conflict carrying the version now on disk (null: no file). */
export type SaveResult =
  { ok: true; version: string } | { ok: false; conflict: true; currentVersion: string | null };

/** The requested notebook does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(readonly path: string) {
    super(`notebook ${JSON.stringify(path)} does not exist`);
  }
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function currentVersion(absolute: string): Promise<string | null> {
  try {
    return versionOf(await readFile(absolute));
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

export class WorkspaceFiles {
  private readonly scanner: NotebookScanner;
  private readonly watchers = new Set<NotebookWatcher>();
  private readonly saving = new Map<string, Promise<unknown>>();

  constructor(readonly root: string) {
    this.scanner = new NotebookScanner(root);
  }

  /** Resolves a client path to a notebook file in the workspace, or throws PathError. */
  resolve(requested: string): WorkspacePath {
    const resolved = resolveInWorkspace(this.root, requested);
    const segments = resolved.relative.split('/');
    if (!resolved.relative.endsWith(NOTEBOOK_SUFFIX)) {
      throw new PathError(requested, 'invalid', `only ${NOTEBOOK_SUFFIX} notebooks can be opened`);
    }
    if (segments.some((s) => s.startsWith('.') || s === 'node_modules')) {
      throw new PathError(requested, 'invalid', 'notebooks in dot-folders and node_modules are not served');
    }
    return resolved;
  }

  /** A path resolved now, or one that `resolve` gave earlier in the same request (the gate's). */
  private resolved(path: string | WorkspacePath): WorkspacePath {
    return typeof path === 'string' ? this.resolve(path) : path;
  }

  /** The notebooks of the workspace, sorted by path; `query` keeps those matching every term. */
  async list(query?: string): Promise<NotebookEntry[]> {
    const entries = await this.scanner.scan();
    return query?.trim() ? entries.filter((entry) => matchesQuery(entry, query)) : entries;
  }

  /** A notebook's text; `path` as the client named it, or as `resolve` already resolved it. */
  async read(path: string | WorkspacePath): Promise<NotebookText> {
    const { absolute, relative } = this.resolved(path);
    let bytes: Buffer;
    try {
      bytes = await readFile(absolute);
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(relative);
      throw error;
    }
    return { text: decodeLossless(bytes), version: versionOf(bytes) };
  }

  /**
   * Writes `text` if the file is still at `baseVersion` (null: the file must not exist yet).
   * The write is atomic (see atomic-write.ts); the folder of a new notebook must exist.
   */
  async save(path: string | WorkspacePath, text: string, baseVersion: string | null): Promise<SaveResult> {
    const resolved = this.resolved(path);
    const previous = this.saving.get(resolved.absolute) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.saveNow(resolved, text, baseVersion));
    this.saving.set(resolved.absolute, next);
    try {
      return await next;
    } finally {
      if (this.saving.get(resolved.absolute) === next) this.saving.delete(resolved.absolute);
    }
  }

  private async saveNow(
    resolved: WorkspacePath,
    text: string,
    baseVersion: string | null,
  ): Promise<SaveResult> {
    const onDisk = await currentVersion(resolved.absolute);
    if (onDisk !== baseVersion) return { ok: false, conflict: true, currentVersion: onDisk };
    const bytes = encodeLossless(text);
    const version = versionOf(bytes);
    // Told before the rename, so a watcher tick that sees the new file knows it is ours.
    for (const watcher of this.watchers) watcher.expectOwnWrite(resolved.relative, version);
    try {
      await writeFileAtomic(resolved.absolute, bytes);
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(resolved.relative);
      throw error;
    }
    return { ok: true, version };
  }

  /**
   * Deletes the notebook if it is still at `baseVersion`: it moves to the workspace's trash
   * (trash.ts). Serialized with saves of the same file; NotFoundError when there is no file.
   */
  async remove(path: string | WorkspacePath, baseVersion: string): Promise<SaveResult> {
    const resolved = this.resolved(path);
    const previous = this.saving.get(resolved.absolute) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async (): Promise<SaveResult> => {
        const onDisk = await currentVersion(resolved.absolute);
        if (onDisk === null) throw new NotFoundError(resolved.relative);
        if (onDisk !== baseVersion) return { ok: false, conflict: true, currentVersion: onDisk };
        const moved = await moveToTrash(this.root, resolved.absolute, resolved.relative, baseVersion);
        return moved.ok
          ? { ok: true, version: baseVersion }
          : { ok: false, conflict: true, currentVersion: moved.currentVersion };
      });
    this.saving.set(resolved.absolute, next);
    try {
      return await next;
    } finally {
      if (this.saving.get(resolved.absolute) === next) this.saving.delete(resolved.absolute);
    }
  }

  /**
   * Reports notebooks changed on disk by someone else (an editor, `git pull`): added, changed or
   * deleted, with the new version. Our own saves are not reported. Returns a stop function.
   */
  watch(onChange: ChangeListener, options: { intervalMs?: number } = {}): () => void {
    const watcher = new NotebookWatcher(this.scanner, onChange, options.intervalMs);
    this.watchers.add(watcher);
    watcher.start();
    return () => {
      watcher.stop();
      this.watchers.delete(watcher);
    };
  }
}
