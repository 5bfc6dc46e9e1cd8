/**
 * What `schedule.changed` says about a notebook's `schedule:` front matter (pure: no I/O): its
 * cron and timezone as written, before and after, and which of its keys differ — names only, since
 * a schedule's `params` may hold values nobody should find in the audit log. A notebook that does
 * not parse has no schedule, as for the scheduler (jobs/scheduler.ts arms none for it).
 */
import { canonicalJson } from './chain.js';
import { parseNotebook } from '../format/index.js';

export interface ScheduleFacts {
  cron: string | null;
  timezone: string | null;
  /** each key of the schedule → its value as canonical JSON (compared, never recorded) */
  keys: Record<string, string>;
}

/** The detail of `schedule.changed` (flat, as every detail is). */
export interface ScheduleChange {
  change: 'added' | 'changed' | 'removed';
  oldCron: string | null;
  oldTimezone: string | null;
  newCron: string | null;
  newTimezone: string | null;
  /** the keys that were added, changed or removed */
  fields: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schedule of a notebook's text, or null when it has none (or does not parse). */
export function scheduleFacts(text: string | null, path?: string): ScheduleFacts | null {
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = parseNotebook(text, path === undefined ? {} : { path }).notebook.frontMatter?.schedule;
  } catch {
    return null;
  }
  if (raw === undefined || raw === null) return null;
  const object = isRecord(raw) ? raw : { '': raw };
  const text_ = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const keys: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) keys[key] = canonicalJson(value ?? null);
  return { cron: text_(object.cron), timezone: text_(object.timezone), keys };
}

/** The change from `before` to `after`, or undefined when the schedule is the same. */
export function scheduleChange(
  before: ScheduleFacts | null,
  after: ScheduleFacts | null,
): ScheduleChange | undefined {
  const names = new Set([...Object.keys(before?.keys ?? {}), ...Object.keys(after?.keys ?? {})]);
  const fields = [...names].filter((key) => before?.keys[key] !== after?.keys[key]).sort();
  if ((before === null) === (after === null) && fields.length === 0) return undefined;
  return {
    change: before === null ? 'added' : after === null ? 'removed' : 'changed',
    oldCron: before?.cron ?? null,
    oldTimezone: before?.timezone ?? null,
    newCron: after?.cron ?? null,
    newTimezone: after?.timezone ?? null,
    fields,
  };
}
