/**
 * `schedule.changed` events: a notebook's `schedule:` appeared, changed or went. Two doors lead to
 * one: a save or a delete through the server (the gate's `notebook.saved` / `notebook.deleted`
 * events that succeeded: the user who saved is the one who changed it), and a change on disk by
 * someone else (the watcher: `via: 'disk'`, no user). It keeps each notebook's schedule as last
 * seen (a scan at start), re-reads the file after each, and emits an event when it differs
 * (audit/schedule-change.ts says how). The checks run one at a time, so two reports of one change
 * (a delete through the API is also a file gone on disk) give one event: the first.
 *
 * Known gap: between a save and the read that follows it another writer may change the file; the
 * schedule is then attributed to the saver. Never throws into a request: failures go to `logError`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scheduleChange, scheduleFacts, type ScheduleFacts } from '../audit/schedule-change.js';
import type { EventSink, GateEvent } from './events.js';
import { findNotebooks } from './scan.js';
import type { WorkspaceFiles } from './workspace-files.js';

type Cause = Pick<GateEvent, 'user' | 'action' | 'via'>;

const WRITES = new Set(['notebook.saved', 'notebook.deleted']);

export class ScheduleEvents {
  /** the events' sink: every event goes on to `downstream`; a save or delete is checked after it */
  readonly sink: EventSink;
  private readonly known = new Map<string, ScheduleFacts | null>();
  private chain: Promise<void>;
  private readonly unwatch: () => void;

  constructor(
    private readonly files: WorkspaceFiles,
    private readonly downstream: EventSink,
    private readonly logError: (error: unknown) => void,
    options: { watchIntervalMs?: number } = {},
  ) {
    this.chain = this.scan();
    this.sink = {
      emit: (event) => {
        downstream.emit(event);
        if (event.outcome === 'ok' && WRITES.has(event.event) && event.resource.kind === 'notebook')
          this.check(event.resource.path, { user: event.user, action: event.action, via: event.via });
      },
    };
    this.unwatch = files.watch(
      (change) => this.check(change.path, { user: null, action: null, via: 'disk' }),
      options.watchIntervalMs !== undefined ? { intervalMs: options.watchIntervalMs } : {},
    );
  }

  /** Resolves when every check so far is done (and its event emitted). */
  settled(): Promise<void> {
    return this.chain;
  }

  async stop(): Promise<void> {
    this.unwatch();
    await this.chain;
  }

  private async scan(): Promise<void> {
    try {
      const paths = await findNotebooks(this.files.root);
      await Promise.all(
        paths.map(async (path) => this.known.set(path, scheduleFacts(await this.text(path)))),
      );
    } catch (error) {
      this.logError(error);
    }
  }

  private async text(path: string): Promise<string | null> {
    try {
      return await readFile(join(this.files.root, ...path.split('/')), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private check(path: string, cause: Cause): void {
    this.chain = this.chain
      .then(async () => {
        const after = scheduleFacts(await this.text(path));
        const change = scheduleChange(this.known.get(path) ?? null, after);
        this.known.set(path, after);
        if (!change) return;
        this.downstream.emit({
          time: new Date().toISOString(),
          event: 'schedule.changed',
          ...cause,
          resource: { kind: 'notebook', path },
          outcome: 'ok',
          detail: { ...change },
        });
      })
      .catch((error: unknown) => this.logError(error));
  }
}
