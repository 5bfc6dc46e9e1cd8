/**
 * Fires notebooks' schedules. For each notebook with a valid `schedule`, a timer waits for the
 * next slot; at the slot, one queued run is created with the notebook's source as it is then,
 * its schedule params, retries and timeout, and a unique key (notebook, slot) — so two servers on
 * one PostgreSQL database create it once. On start, slots missed while no scheduler ran (since
 * the notebook's newest scheduled run) are caught up per the schedule's `catchup` policy.
 * `reload` re-reads the notebooks (a file changed) and re-arms what changed.
 *
 * Each run carries the schedule's owner as it is at the slot (`ownerOf`, schedule-owner.ts): the
 * user who saved that schedule through the server, or none.
 */
import { createHash } from 'node:crypto';
import { ParamError } from '../format/errors.js';
import { parseNotebook, resolveParams } from '../format/index.js';
import type { ParamValue } from '../format/types.js';
import type { NewRun, RunStore } from '../store/run-store.js';
import type { StoredRun } from '../store/types.js';
import type { Clock } from './clock.js';
import { parseSchedule, ScheduleError, type ScheduleSpec } from './schedule-spec.js';
import { catchupSlots, nextSlot, scheduleKey, slotsBetween } from './slots.js';

export interface NotebookSource {
  /** workspace-relative */
  path: string;
  source: string;
}

export interface ScheduledNotebook {
  path: string;
  source: string;
  title?: string;
  spec: ScheduleSpec;
  params: Record<string, ParamValue>;
}

/** The notebook's schedule, checked with its params; undefined when it has none. Throws with the path. */
export function scheduledNotebook(path: string, source: string): ScheduledNotebook | undefined {
  const { notebook } = parseNotebook(source, { path });
  const raw = notebook.frontMatter?.schedule;
  if (raw === undefined) return undefined;
  try {
    const spec = parseSchedule(raw);
    const params = resolveParams(notebook.frontMatter?.params ?? [], spec.params, { source: 'json' });
    const title = notebook.frontMatter?.title;
    return { path, source, ...(title ? { title } : {}), spec, params };
  } catch (error) {
    if (error instanceof ScheduleError) throw new ScheduleError(`${path}: ${error.message}`);
    if (error instanceof ParamError) throw new ScheduleError(`${path}: schedule.params: ${error.message}`);
    throw error;
  }
}

export interface SchedulerOptions {
  store: RunStore;
  clock: Clock;
  /** the workspace's notebooks (path and text) */
  load: () => Promise<NotebookSource[]>;
  /** the user a schedule's runs run as (schedule-owner.ts); default: nobody */
  ownerOf?: (path: string, source: string) => Promise<string | undefined>;
  /** records and offers a run (JobService.submit) */
  submit: (run: Omit<NewRun, 'status'>) => Promise<StoredRun | undefined>;
  /** a run was created for a slot; lag = creation time − slot time */
  onFired?: (path: string, slot: number, lagMs: number) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
}

interface Armed {
  entry: ScheduledNotebook;
  fingerprint: string;
  cancel: () => void;
}

const fingerprintOf = (entry: ScheduledNotebook): string =>
  createHash('sha256')
    .update(JSON.stringify([entry.spec, entry.params, entry.source]))
    .digest('hex');

export class Scheduler {
  private readonly armed = new Map<string, Armed>();
  /** schedules that do not parse, by path: reported once per change */
  readonly errors = new Map<string, string>();
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  async start(): Promise<void> {
    await this.reload({ catchUp: true });
  }

  /** Re-reads the notebooks; a new or changed schedule is re-armed, a removed one disarmed. */
  async reload(options: { catchUp?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    const found = new Map<string, ScheduledNotebook>();
    const errors = new Map<string, string>();
    for (const { path, source } of await this.options.load()) {
      try {
        const entry = scheduledNotebook(path, source);
        if (entry) found.set(path, entry);
      } catch (error) {
        errors.set(path, (error as Error).message);
      }
    }
    for (const [path, message] of errors) {
      if (this.errors.get(path) !== message)
        this.options.log?.('warn', 'schedule ignored', { notebook: path, error: message });
    }
    this.errors.clear();
    for (const [path, message] of errors) this.errors.set(path, message);
    for (const [path, armed] of this.armed) {
      if (!found.has(path)) {
        armed.cancel();
        this.armed.delete(path);
      }
    }
    for (const [path, entry] of found) {
      const fingerprint = fingerprintOf(entry);
      const current = this.armed.get(path);
      if (current?.fingerprint === fingerprint) continue;
      current?.cancel();
      if (options.catchUp || !current) await this.catchUp(entry);
      this.arm(entry, fingerprint, this.options.clock.now());
    }
  }

  /** The notebooks with a schedule and their next slot (for the API and `quire serve`'s banner). */
  list(): { path: string; cron: string; timezone: string; next: number | undefined }[] {
    return [...this.armed.values()].map(({ entry }) => ({
      path: entry.path,
      cron: entry.spec.cron,
      timezone: entry.spec.timezone,
      next: nextSlot(entry.spec, this.options.clock.now()),
    }));
  }

  stop(): void {
    this.stopped = true;
    for (const armed of this.armed.values()) armed.cancel();
    this.armed.clear();
  }

  private arm(entry: ScheduledNotebook, fingerprint: string, after: number): void {
    const slot = nextSlot(entry.spec, after);
    const armed: Armed = { entry, fingerprint, cancel: () => undefined };
    this.armed.set(entry.path, armed);
    if (slot === undefined) return;
    armed.cancel = this.options.clock.setTimer(slot - this.options.clock.now(), async () => {
      if (this.armed.get(entry.path) !== armed) return;
      await this.fire(armed.entry, slot);
      if (this.armed.get(entry.path) === armed) this.arm(armed.entry, fingerprint, slot);
    });
  }

  private async catchUp(entry: ScheduledNotebook): Promise<void> {
    const last = await this.options.store.lastScheduledFor(entry.path);
    // A schedule never run before starts from now: there is no downtime to catch up.
    if (last === undefined) return;
    const { policy, max } = entry.spec.catchup;
    const missed = slotsBetween(entry.spec, last, this.options.clock.now(), Math.max(max, 1));
    const chosen = catchupSlots(missed, policy, max);
    if (missed.length > 0)
      this.options.log?.('info', 'schedule catch-up', {
        notebook: entry.path,
        policy,
        missed: missed.length,
        running: chosen.length,
      });
    for (const slot of chosen) await this.fire(entry, slot);
  }

  private async fire(entry: ScheduledNotebook, slot: number): Promise<void> {
    try {
      const ownerId = await this.options.ownerOf?.(entry.path, entry.source);
      const run = await this.options.submit({
        path: entry.path,
        source: entry.source,
        ...(entry.title ? { title: entry.title } : {}),
        trigger: 'schedule',
        params: entry.params,
        maxAttempts: entry.spec.retries + 1,
        ...(entry.spec.timeoutMs ? { timeoutMs: entry.spec.timeoutMs } : {}),
        scheduleKey: scheduleKey(entry.path, slot),
        scheduledFor: slot,
        ...(ownerId !== undefined ? { ownerId } : {}),
      });
      if (run) this.options.onFired?.(entry.path, slot, this.options.clock.now() - slot);
    } catch (error) {
      this.options.log?.('error', 'a scheduled run could not be created', {
        notebook: entry.path,
        slot: new Date(slot).toISOString(),
        error: String(error),
      });
    }
  }
}
