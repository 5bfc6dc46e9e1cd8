/**
 * What `schedule.changed` says about a notebook's `schedule:` front matter (pure: no I/O): its
 * cron and timezone as written, before and after, and which of its keys differ — names only, since
 * a schedule's `params` may hold values nobody should find in the audit log. A notebook that does
 * not parse has no schedule, as for the scheduler (jobs/scheduler.ts arms none for it); only its
 * front matter is read here.
 */
import { canonicalJson } from './chain.js';
import { parse as parseYaml } from 'yaml';

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

const DELIMITER = /^---[ \t]*$/;

/**
 * The front matter's `schedule` value: the YAML between the `---` lines alone (format/front-matter.ts
 * draws the same lines). A server reads every notebook at its start for this, so not the whole
 * notebook: on the examples the YAML alone costs 2.3× less than parseNotebook (measured together).
 */
function rawSchedule(text: string): unknown {
  const lines = text.split(/\r?\n/);
  if (!DELIMITER.test(lines[0] ?? '')) return undefined;
  const close = lines.findIndex((line, i) => i > 0 && DELIMITER.test(line));
  if (close === -1) return undefined;
  const data: unknown = parseYaml(lines.slice(1, close).join('\n'));
  return isRecord(data) ? data.schedule : undefined;
}

/** The schedule of a notebook's text, or null when it has none (or its front matter does not parse). */
export function scheduleFacts(text: string | null): ScheduleFacts | null {
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = rawSchedule(text);
  } catch {
    return null;
  }
  if (raw === undefined || raw === null) return null;
  const object = isRecord(raw) ? raw : { '': raw };
  const asText = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const keys: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) keys[key] = canonicalJson(value ?? null);
  return { cron: asText(object.cron), timezone: asText(object.timezone), keys };
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
