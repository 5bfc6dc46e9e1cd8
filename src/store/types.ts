/** What the store holds about runs (issue 4): one row per run, its attempts and its artifacts. */
import type { ParamValue } from '../format/types.js';
import { FINAL_RUN_STATES, type RunState } from '../protocol/states.js';

/** what started a run */
export type Trigger = 'cli' | 'editor' | 'schedule' | 'api' | 'submit' | 'sweep' | 'rerun';
export const TRIGGERS: readonly Trigger[] = ['cli', 'editor', 'schedule', 'api', 'submit', 'sweep', 'rerun'];

/** `queued` and `running` change; the others are final (the list is src/protocol/states.ts) */
export type { RunState };
export const FINAL_STATES = FINAL_RUN_STATES;

export interface StoredRun {
  id: string;
  path: string;
  /** sha256 of the notebook source, which is also the blob holding that source */
  sha256: string;
  title?: string;
  trigger: Trigger;
  status: RunState;
  params: Record<string, ParamValue>;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  /** the current (or last) attempt, 0 before the first starts; also the fencing token */
  attempt: number;
  maxAttempts: number;
  timeoutMs?: number;
  /** a queued retry is not taken before this time */
  notBefore?: number;
  worker?: string;
  leaseExpiresAt?: number;
  /** one line: why the run failed */
  error?: string;
  recordSha256?: string;
  reportSha256?: string;
  sweepId?: string;
  scheduleKey?: string;
  scheduledFor?: number;
  rerunOf?: string;
  metrics?: Record<string, number>;
  /** the user a queued or scheduled run runs as (none: `quire submit`, or an ownerless schedule) */
  ownerId?: string;
}

export interface StoredAttempt {
  runId: string;
  attempt: number;
  worker?: string;
  startedAt: number;
  finishedAt?: number;
  /** `lost`: the worker stopped renewing its lease (it died or was cut off) */
  status: 'running' | 'ok' | 'error' | 'timeout' | 'lost' | 'released';
  error?: string;
  /** the attempt's run record (a blob): the final attempt's is the run's; a retried one's its own */
  recordSha256?: string;
}

export interface Artifact {
  name: string;
  sha256: string;
  size: number;
  mime: string;
}

/** an output as the stored record keeps it: its data is a blob */
export interface OutputRef {
  mime: string;
  sha256: string;
  size: number;
}
