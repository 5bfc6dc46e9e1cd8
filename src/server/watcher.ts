/**
 * Notices notebooks changed on disk by someone else, by polling: every interval it re-scans the
 * workspace (the scanner re-reads only files whose mtime or size moved) and compares versions.
 *
 * Why polling and not fs.watch: recursive fs.watch is unreliable on Linux with Node 20, per-folder
 * watchers must be re-armed as folders come and go and miss events on network and container
 * mounts, and editors that save by rename confuse both. A scan of a few hundred notebooks each
 * second costs a few hundred stat calls. Versions (not mtimes) decide, so a touch is not a change,
 * and a file whose version is the one we just saved is ours, not an external change.
 */
import type { NotebookEntry, NotebookScanner } from './scan.js';

/** A notebook that changed on disk; `version` is null when it was deleted. */
export interface NotebookChange {
  path: string;
  kind: 'added' | 'changed' | 'deleted';
  version: string | null;
}

export type ChangeListener = (change: NotebookChange) => void;

export const DEFAULT_WATCH_INTERVAL_MS = 1000;

export class NotebookWatcher {
  private known = new Map<string, string>();
  private readonly own = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly scanner: NotebookScanner,
    private readonly onChange: ChangeListener,
    private readonly intervalMs: number = DEFAULT_WATCH_INTERVAL_MS,
  ) {}

  /** The service is about to write `version` to `path`: seeing it later is not an external change. */
  expectOwnWrite(path: string, version: string): void {
    this.own.set(path, version);
  }

  start(): void {
    // The first scan sets the baseline; nothing is reported for files that already exist.
    this.ticking = this.tick(false);
    this.timer = setInterval(() => {
      if (!this.ticking) this.ticking = this.tick(true);
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async tick(report: boolean): Promise<void> {
    try {
      const entries = await this.scanner.scan();
      if (!this.stopped) this.compare(entries, report);
    } catch {
      // a transient error (file vanished mid-read, permissions): the next tick tries again
    } finally {
      this.ticking = undefined;
    }
  }

  private compare(entries: NotebookEntry[], report: boolean): void {
    const next = new Map(entries.map((entry) => [entry.path, entry.version]));
    for (const [path, version] of next) {
      const before = this.known.get(path);
      if (before === version) continue;
      if (this.own.get(path) === version) {
        this.own.delete(path); // our own save, now seen on disk
        continue;
      }
      if (report) this.onChange({ path, kind: before === undefined ? 'added' : 'changed', version });
    }
    for (const path of this.known.keys()) {
      if (!next.has(path) && report) this.onChange({ path, kind: 'deleted', version: null });
    }
    this.known = next;
  }
}
