/** Rows of the `runs` and `run_attempts` tables to and from the store's types. */
import type { Row } from './db.js';
import type { RunState, StoredAttempt, StoredRun, Trigger } from './types.js';

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

/** Copies the defined entries only (exactOptionalPropertyTypes: no `key: undefined`). */
function defined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function runFromRow(row: Row): StoredRun {
  return defined<StoredRun>({
    id: String(row.id),
    path: String(row.notebook_path),
    sha256: String(row.notebook_sha256),
    title: str(row.title),
    trigger: String(row.trigger) as Trigger,
    status: String(row.status) as RunState,
    params: JSON.parse(String(row.params)) as StoredRun['params'],
    createdAt: Number(row.created_at),
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
    durationMs: num(row.duration_ms),
    attempt: Number(row.attempt),
    maxAttempts: Number(row.max_attempts),
    timeoutMs: num(row.timeout_ms),
    notBefore: num(row.not_before),
    worker: str(row.worker),
    leaseExpiresAt: num(row.lease_expires_at),
    error: str(row.error),
    recordSha256: str(row.record_sha256),
    reportSha256: str(row.report_sha256),
    sweepId: str(row.sweep_id),
    scheduleKey: str(row.schedule_key),
    scheduledFor: num(row.scheduled_for),
    rerunOf: str(row.rerun_of),
    metrics: row.metrics ? (JSON.parse(String(row.metrics)) as Record<string, number>) : undefined,
    ownerId: str(row.owner_id),
  });
}

export function attemptFromRow(row: Row): StoredAttempt {
  return defined<StoredAttempt>({
    runId: String(row.run_id),
    attempt: Number(row.attempt),
    worker: str(row.worker),
    startedAt: Number(row.started_at),
    finishedAt: num(row.finished_at),
    status: String(row.status) as StoredAttempt['status'],
    error: str(row.error),
    recordSha256: str(row.record_sha256),
  });
}
