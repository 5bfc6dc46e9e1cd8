/** Small display formats shared by the renderers. Pure. */

/** `850 ms`, `3.2 s`, `4 m 05 s`: durations at the precision a reader cares about. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return minutes < 60 ? `${minutes} m ${seconds} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} m`;
}

/** `2024-05-06 06:00:03 UTC` — always UTC so the same run renders the same everywhere. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `1,234` — counts with thousands separators, independent of the machine's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A value as a reader expects it in a cell or a params table: strings bare, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}
