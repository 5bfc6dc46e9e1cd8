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
  const put = blobPutter(blobs);
  const blobsOf = await Promise.all(
    record.cells.map((cell) => Promise.all(cell.outputs.map((output) => put(JSON.stringify(output.data))))),
  );
  record.cells.forEach((cell, i) => {
    const outputs: OutputRef[] = [];
    cell.outputs.forEach((output, index) => {
      const { sha256, size } = blobsOf[i]![index]!;
      outputs.push({ mime: output.mime, sha256, size });
      artifacts.push({ name: `outputs/${cell.id}/${index}`, sha256, size, mime: output.mime });
    });
    cells.push({ ...cell, outputs });
  });
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

/** Blob writes at once: each is durable on its own (fsync), and the disk batches concurrent ones. */
const PARALLEL_PUTS = 16;

/**
 * `blobs.put` for many outputs: identical data is written once, and up to PARALLEL_PUTS writes run
 * at a time. One at a time, a run with 20,000 outputs waited on 20,000 fsyncs in a row (~2 ms
 * each here); at once without a limit, it would open 20,000 files.
 */
function blobPutter(blobs: BlobStore): (data: string) => Promise<{ sha256: string; size: number }> {
  const started = new Map<string, Promise<{ sha256: string; size: number }>>();
  const waiting: (() => void)[] = [];
  let next = 0;
  let running = 0;
  const slot = async (): Promise<void> => {
    if (running < PARALLEL_PUTS) {
      running++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    // An index, not shift(): shifting an array of 20,000 waiters one by one is quadratic.
    if (next < waiting.length) waiting[next++]!();
    else running--;
  };
  return (data) => {
    let put = started.get(data);
    if (!put) {
      put = slot().then(() => blobs.put(data).finally(release));
      started.set(data, put);
    }
    return put;
  };
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
