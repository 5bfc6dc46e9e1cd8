/**
 * The `schedule` of a notebook's front matter (DESIGN §2), checked and with its defaults:
 *
 *   schedule: { cron: "0 6 * * 1-5", timezone: Europe/Berlin, retries: 3, timeout: 10m,
 *               params: { region: EU }, backoff: { initial: 30s, max: 30m },
 *               catchup: latest, concurrency: 1 }
 *
 * `cron` has 5 fields, or 6 with seconds first. `catchup` after downtime: `skip` (none of the
 * missed slots), `latest` (the newest one; the default), `all` (each, oldest first, at most
 * `{policy: all, max: N}`, 24 by default). Errors name the field.
 */
import { Cron } from 'croner';
import { parseDuration } from '../format/duration.js';

export type CatchupPolicy = 'skip' | 'latest' | 'all';

export interface ScheduleSpec {
  cron: string;
  timezone: string;
  params: Record<string, unknown>;
  /** attempts after the first (0: one attempt) */
  retries: number;
  backoff: { initialMs: number; maxMs: number };
  timeoutMs?: number;
  catchup: { policy: CatchupPolicy; max: number };
  /** runs of this notebook at once, counted across every worker */
  concurrency: number;
}

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

export const DEFAULT_BACKOFF = { initialMs: 30_000, maxMs: 30 * 60_000 };
export const DEFAULT_CATCHUP_MAX = 24;
const MAX_RETRIES = 100;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(field: string, message: string): never {
  throw new ScheduleError(`schedule.${field}: ${message}`);
}

function duration(field: string, value: unknown): number {
  if (typeof value !== 'string' && typeof value !== 'number')
    fail(field, 'expected a duration like 30s, 10m or 2h');
  try {
    const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
    if (!(ms > 0)) fail(field, 'must be more than zero');
    return ms;
  } catch (error) {
    if (error instanceof ScheduleError) throw error;
    return fail(field, (error as Error).message);
  }
}

function wholeNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(field, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value;
}

export function checkTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    fail('timezone', `unknown time zone "${timezone}" (use an IANA name like Europe/Berlin or UTC)`);
  }
  return timezone;
}

export function checkCron(cron: string, timezone = 'UTC'): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6)
    fail(
      'cron',
      `expected 5 fields (minute hour day month weekday), or 6 with seconds first; got ${fields.length} in "${cron}"`,
    );
  try {
    new Cron(cron, { timezone, paused: true }).stop();
  } catch (error) {
    fail('cron', `${(error as Error).message.replace(/^CronPattern: /, '')} in "${cron}"`);
  }
  return cron.trim();
}

function catchup(value: unknown): ScheduleSpec['catchup'] {
  if (value === undefined) return { policy: 'latest', max: DEFAULT_CATCHUP_MAX };
  const policies: CatchupPolicy[] = ['skip', 'latest', 'all'];
  if (typeof value === 'string') {
    if (!policies.includes(value as CatchupPolicy))
      fail('catchup', `expected skip, latest or all, got "${value}"`);
    return { policy: value as CatchupPolicy, max: DEFAULT_CATCHUP_MAX };
  }
  if (!isRecord(value)) fail('catchup', 'expected skip, latest, all or {policy: all, max: N}');
  const policy = value.policy ?? 'latest';
  if (!policies.includes(policy as CatchupPolicy))
    fail('catchup.policy', `expected skip, latest or all, got ${JSON.stringify(policy)}`);
  const max =
    value.max === undefined ? DEFAULT_CATCHUP_MAX : wholeNumber('catchup.max', value.max, 1, 10_000);
  return { policy: policy as CatchupPolicy, max };
}

function backoff(value: unknown): ScheduleSpec['backoff'] {
  if (value === undefined) return { ...DEFAULT_BACKOFF };
  if (!isRecord(value)) {
    const initialMs = duration('backoff', value);
    return { initialMs, maxMs: Math.max(initialMs, DEFAULT_BACKOFF.maxMs) };
  }
  const initialMs =
    value.initial === undefined ? DEFAULT_BACKOFF.initialMs : duration('backoff.initial', value.initial);
  const maxMs =
    value.max === undefined ? Math.max(initialMs, DEFAULT_BACKOFF.maxMs) : duration('backoff.max', value.max);
  if (maxMs < initialMs) fail('backoff.max', 'must not be less than backoff.initial');
  return { initialMs, maxMs };
}

const KNOWN = ['cron', 'timezone', 'params', 'retries', 'backoff', 'timeout', 'catchup', 'concurrency'];

/** The checked schedule; throws ScheduleError naming the field. */
export function parseSchedule(raw: unknown): ScheduleSpec {
  const value = typeof raw === 'string' ? { cron: raw } : raw;
  if (!isRecord(value)) fail('cron', 'expected {cron: "…", …} or a cron string');
  for (const key of Object.keys(value)) {
    if (!KNOWN.includes(key)) fail(key, `unknown key (known: ${KNOWN.join(', ')})`);
  }
  if (typeof value.cron !== 'string')
    fail('cron', 'expected a cron expression in quotes, e.g. "0 6 * * 1-5"');
  if (value.timezone !== undefined && typeof value.timezone !== 'string')
    fail('timezone', 'expected an IANA time zone name');
  const timezone = checkTimezone((value.timezone as string | undefined) ?? 'UTC');
  if (value.params !== undefined && !isRecord(value.params)) fail('params', 'expected a map of param values');
  return {
    cron: checkCron(value.cron, timezone),
    timezone,
    params: (value.params as Record<string, unknown> | undefined) ?? {},
    retries: value.retries === undefined ? 0 : wholeNumber('retries', value.retries, 0, MAX_RETRIES),
    backoff: backoff(value.backoff),
    ...(value.timeout === undefined ? {} : { timeoutMs: duration('timeout', value.timeout) }),
    catchup: catchup(value.catchup),
    concurrency: value.concurrency === undefined ? 1 : wholeNumber('concurrency', value.concurrency, 1, 1000),
  };
}
