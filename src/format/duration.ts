/**
 * Durations as written in notebooks (`30s`, `1.5m`, `250ms`, `2h`): a number and a unit. Used by
 * the front matter `timeout`, the cell `timeout=` attribute, and by schedules in jobs/.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)$/;

/** Parses `30s` to 30000 (milliseconds, rounded to a whole ms); throws `Error` on anything else. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  const unit = m ? UNIT_MS[m[2] ?? ''] : undefined;
  if (!m || unit === undefined) {
    throw new Error(
      `invalid duration ${JSON.stringify(text)}: expected a number with ms, s, m or h (e.g. 30s)`,
    );
  }
  return Math.round(Number(m[1]) * unit);
}

/** Like parseDuration, but returns undefined instead of throwing. */
export function tryParseDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/** Renders milliseconds in the largest unit that divides them exactly (`30000` -> `30s`). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`invalid duration ${ms}ms`);
  for (const unit of ['h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] ?? 1;
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms)}ms`;
}
