/**
 * When a schedule fires (pure, given the clock's time). Slots come from croner in the schedule's
 * time zone: a wall-clock time skipped by a DST change fires at the first instant after the gap,
 * and a daily time that happens twice when clocks go back fires once (croner's behaviour, pinned
 * by tests/unit/jobs/slots.test.ts); sub-hourly schedules keep firing through the repeated hour,
 * as real time passes.
 */
import { Cron } from 'croner';
import type { CatchupPolicy, ScheduleSpec } from './schedule-spec.js';

export function cronOf(spec: Pick<ScheduleSpec, 'cron' | 'timezone'>): Cron {
  return new Cron(spec.cron, { timezone: spec.timezone, paused: true });
}

/** The first slot strictly after `after` (ms), or undefined when the pattern never fires again. */
export function nextSlot(spec: Pick<ScheduleSpec, 'cron' | 'timezone'>, after: number): number | undefined {
  const next = cronOf(spec).nextRun(new Date(after));
  return next ? next.getTime() : undefined;
}

/**
 * The slots in (from, to], oldest first, at most `limit` — the newest ones when there are more
 * (what a catch-up wants). Counting stops after `scanLimit` slots so a per-second schedule after
 * a month of downtime does not enumerate millions.
 */
export function slotsBetween(
  spec: Pick<ScheduleSpec, 'cron' | 'timezone'>,
  from: number,
  to: number,
  limit: number,
  scanLimit = 100_000,
): number[] {
  const cron = cronOf(spec);
  const found: number[] = [];
  let cursor = new Date(from);
  for (let scanned = 0; scanned < scanLimit; scanned++) {
    const next = cron.nextRun(cursor);
    if (!next || next.getTime() > to) break;
    found.push(next.getTime());
    if (found.length > limit) found.shift();
    cursor = next;
  }
  return found;
}

/** Which missed slots a catch-up runs, oldest first. */
export function catchupSlots(missed: number[], policy: CatchupPolicy, max: number): number[] {
  if (policy === 'skip' || missed.length === 0) return [];
  if (policy === 'latest') return missed.slice(-1);
  return missed.slice(-max);
}

/** The key that makes one run per (notebook, slot), however many schedulers see the slot. */
export const scheduleKey = (path: string, slot: number): string => `${path}@${new Date(slot).toISOString()}`;
