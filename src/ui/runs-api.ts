/**
 * The run history over REST (`/api/runs`, docs/server.md): one notebook's runs, and the URL of a
 * run's report. Plus the pure formatting the history panel shows. No DOM here.
 */
import type { Run, RunList, RunState } from '../protocol/api.js';
import { getJson } from './api.js';

// The bodies are the protocol's (src/protocol/api.ts), as the server's routes use them.
export type { RunState };

/** One entry of `GET /api/runs`: the fields the editor shows (the server sends the whole `Run`). */
export type RunSummary = Pick<
  Run,
  | 'id'
  | 'path'
  | 'title'
  | 'trigger'
  | 'status'
  | 'params'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
  | 'durationMs'
  | 'error'
  | 'recordSha256'
>;

/** The runs of the notebook at `path` (workspace-relative), newest first. */
export async function listRuns(path: string, limit = 50, signal?: AbortSignal): Promise<RunSummary[]> {
  const query = `path=${encodeURIComponent(path)}&limit=${limit}`;
  return (await getJson<RunList>(`/api/runs?${query}`, signal)).runs;
}

/** The run's self-contained report (served with a sandboxing policy: no script runs in it). */
export const reportUrl = (id: string): string => `/api/runs/${encodeURIComponent(id)}/report`;

/**
 * A run with a record has a report (rendered on first view); a queued or running one has none
 * yet, nor has a run cancelled before it started or lost with its worker.
 */
export const hasReport = (run: RunSummary): boolean => run.recordSha256 !== undefined;

const TRIGGERS: Record<string, string> = { cli: 'quire run', editor: 'editor', submit: 'quire submit' };

export const triggerLabel = (trigger: string): string => TRIGGERS[trigger] ?? trigger;

/** `850 ms`, `2.4 s`, `3 min 05 s`, `1 h 02 min`; `—` when unknown. */
export function formatRunDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${pad(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${pad(Math.floor((seconds % 3600) / 60))} min`;
}

/** `2026-11-26 09:41:07` in the browser's time zone (sortable, unambiguous, any locale). */
export function formatRunTime(epochMs: number | undefined): string {
  if (epochMs === undefined) return '—';
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}
