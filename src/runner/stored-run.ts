/**
 * A run's record in the store: each cell output becomes a content-addressed blob (identical
 * outputs of daily runs are kept once), the record itself is a blob whose outputs are references
 * (`{mime, sha256, size}`), and the run lists them all as artifacts. `loadRecord` puts the
 * outputs back, so readers get the record `quire run --json` printed.
 */
import type { ChartBudget } from '../outputs/render/chart-sandbox.js';
import type { Output } from '../outputs/types.js';
import type { BlobStore } from '../store/blobs.js';
import type { RunStore } from '../store/run-store.js';
import type { Artifact, OutputRef, StoredRun } from '../store/types.js';
import type { CellRecord, RunRecord } from './record.js';

const JSON_MIME = 'application/json';

type StoredCell = Omit<CellRecord, 'outputs'> & { outputs: OutputRef[] };
type StoredRecord = Omit<RunRecord, 'cells'> & { cells: StoredCell[] };

export interface SavedRecord {
  recordSha256: string;
  reportSha256?: string;
  artifacts: Artifact[];
}

/** Stores the record's outputs, the record and (when given) the report; returns what `finish` needs. */
export async function saveRecord(
  blobs: BlobStore,
  record: RunRecord,
  extra: { reportHtml?: string } = {},
): Promise<SavedRecord> {
  const artifacts: Artifact[] = [];
  const cells: StoredCell[] = [];
  for (const cell of record.cells) {
    const outputs: OutputRef[] = [];
    for (const [index, output] of cell.outputs.entries()) {
      const { sha256, size } = await blobs.put(JSON.stringify(output.data));
      outputs.push({ mime: output.mime, sha256, size });
      artifacts.push({ name: `outputs/${cell.id}/${index}`, sha256, size, mime: output.mime });
    }
    cells.push({ ...cell, outputs });
  }
  const stored: StoredRecord = { ...record, cells };
  const recordBlob = await blobs.put(JSON.stringify(stored, null, 1));
  artifacts.push({ name: 'record.json', ...recordBlob, mime: JSON_MIME });
  let reportSha256: string | undefined;
  if (extra.reportHtml !== undefined) {
    const report = await blobs.put(extra.reportHtml);
    reportSha256 = report.sha256;
    artifacts.push({ name: 'report.html', ...report, mime: 'text/html' });
  }
  return { recordSha256: recordBlob.sha256, ...(reportSha256 ? { reportSha256 } : {}), artifacts };
}

/** The full record of a finished run (outputs inlined); undefined when it has none (queued, lost). */
export async function loadRecord(store: RunStore, run: StoredRun): Promise<RunRecord | undefined> {
  return run.recordSha256 ? loadRecordBlob(store, run.recordSha256) : undefined;
}

/** The full record stored as the blob `sha256`: a run's, or a retried attempt's (StoredAttempt). */
export async function loadRecordBlob(store: RunStore, sha256: string): Promise<RunRecord> {
  const stored = JSON.parse((await store.blobs.get(sha256)).toString('utf8')) as StoredRecord;
  const cells: CellRecord[] = [];
  for (const cell of stored.cells) {
    const outputs: Output[] = [];
    for (const ref of cell.outputs) {
      outputs.push({
        mime: ref.mime,
        data: JSON.parse((await store.blobs.get(ref.sha256)).toString('utf8')),
      });
    }
    cells.push({ ...cell, outputs });
  }
  return { ...stored, cells };
}

/** The exact notebook source a run ran. */
export async function loadSource(store: RunStore, run: StoredRun): Promise<string> {
  return (await store.blobs.get(run.sha256)).toString('utf8');
}

/**
 * The run's report.html: the stored one, else rendered now from the stored source and record and
 * kept (a report is derived data: rendering it again gives the same bytes, so storing it later
 * does not change what the run was).
 */
export async function storedReport(
  store: RunStore,
  run: StoredRun,
  record: RunRecord,
  options: { charts?: Partial<ChartBudget> } = {},
): Promise<string> {
  if (run.reportSha256) return (await store.blobs.get(run.reportSha256)).toString('utf8');
  const [{ parseNotebook }, { reportInput }, { renderReport }] = await Promise.all([
    import('../format/index.js'),
    import('./write.js'),
    import('../outputs/render/report.js'),
  ]);
  const { notebook } = parseNotebook(await loadSource(store, run), { path: run.path });
  // A chart stopped at its time limit may render another time (a busy machine): such a report is
  // shown but not kept, so that opening the run again tries again.
  let complete = true;
  const html = await renderReport(reportInput(notebook, record), {
    ...options,
    onTransientFailure: () => (complete = false),
  });
  if (!complete) return html;
  const blob = await store.blobs.put(html);
  await store.attachReport(run.id, { name: 'report.html', ...blob, mime: 'text/html' });
  return html;
}
