/**
 * Records a run that starts at once (a `quire run`, an editor's Run all) in the run store: a row
 * `running` when its input is known to be good, then the final record with its artifacts. Queued
 * runs (schedules, submit, workers) go through the store's claim/finish instead; both end in
 * `finishRecorded`.
 */
import type { RunStore } from '../store/run-store.js';
import type { StoredRun, Trigger } from '../store/types.js';
import type { RunRecord } from './record.js';
import type { RunStarted } from './run.js';
import { saveRecord } from './stored-run.js';

/** One line saying why a run failed: the first failed cell, its line and message. */
export function failureSummary(record: RunRecord): string | undefined {
  if (record.status === 'ok') return undefined;
  if (record.timedOut) return `the run passed its time limit (${record.timedOut.limitMs} ms)`;
  const failed = record.cells.find((c) => c.status === 'error');
  if (!failed) return record.status;
  const where = `${failed.name ?? failed.id}${failed.error?.fileLine ? ` (line ${failed.error.fileLine})` : ''}`;
  return `${where}: ${failed.error?.message.split('\n')[0] ?? 'failed'}`.slice(0, 500);
}

/**
 * A run as `quire runs --json` shows it, from its record alone (no store needed: a sweep prints
 * its runs even when the store could not be opened).
 */
export function storedRunOf(record: RunRecord, run: { trigger: Trigger; sweepId?: string }): StoredRun {
  const startedAt = Date.parse(record.startedAt);
  const error = failureSummary(record);
  return {
    id: record.id,
    path: record.notebook.path,
    sha256: record.notebook.sha256,
    ...(record.notebook.title ? { title: record.notebook.title } : {}),
    trigger: run.trigger,
    status: record.status,
    params: record.params,
    createdAt: startedAt,
    startedAt,
    finishedAt: Date.parse(record.finishedAt),
    durationMs: record.durationMs,
    attempt: 1,
    maxAttempts: 1,
    ...(error ? { error } : {}),
    ...(run.sweepId ? { sweepId: run.sweepId } : {}),
    ...(record.metrics ? { metrics: record.metrics } : {}),
  };
}

export async function startRecorded(
  store: RunStore,
  started: RunStarted,
  options: { trigger: Trigger; worker: string; rerunOf?: string; sweepId?: string },
): Promise<void> {
  await store.create({
    id: started.id,
    path: started.workspacePath,
    source: started.source,
    ...(started.title ? { title: started.title } : {}),
    trigger: options.trigger,
    params: started.params,
    status: 'running',
    worker: options.worker,
    ...(options.rerunOf ? { rerunOf: options.rerunOf } : {}),
    ...(options.sweepId ? { sweepId: options.sweepId } : {}),
  });
}

/**
 * Stores a failed attempt's record and puts the run back in the queue, not before `notBefore`,
 * with `error` (its failureSummary) as the run's error meanwhile;
 * the attempt keeps its record (`quire show RUN --attempt N`). False when fenced off.
 */
export async function retryRecorded(
  store: RunStore,
  id: string,
  attempt: number,
  notBefore: number,
  record: RunRecord,
  error: string,
  now: number,
): Promise<boolean> {
  const saved = await saveRecord(store.blobs, record);
  return store.retry(id, attempt, notBefore, error, now, saved);
}

/**
 * Stores the record's blobs and makes the run final, with the record's metrics in their own
 * column (so a sweep compares runs without reading every record). `extra.error` says why the run
 * failed when its caller knows better than the record (an editor's Run all interrupted); default:
 * the failureSummary. False when the attempt no longer owns the run (fenced off: its lease expired
 * and another attempt took over).
 */
export async function finishRecorded(
  store: RunStore,
  id: string,
  attempt: number,
  record: RunRecord,
  extra: { reportHtml?: string; error?: string } = {},
): Promise<boolean> {
  const saved = await saveRecord(
    store.blobs,
    record,
    extra.reportHtml !== undefined ? { reportHtml: extra.reportHtml } : {},
  );
  const error = extra.error ?? failureSummary(record);
  return store.finish(id, attempt, {
    status: record.status,
    durationMs: record.durationMs,
    ...(error ? { error } : {}),
    recordSha256: saved.recordSha256,
    ...(saved.reportSha256 ? { reportSha256: saved.reportSha256 } : {}),
    artifacts: saved.artifacts,
    ...(record.metrics ? { metrics: record.metrics } : {}),
  });
}
