/**
 * `quire show RUN [--attempt N] [--json] [--report FILE] [--db URL]`: one run's record, attempts
 * and artifacts. RUN is an id or a unique part of one (its random tail is enough). `--attempt`
 * shows the cells of one attempt: a failed attempt that was retried keeps its own record.
 */
import { writeFile } from 'node:fs/promises';
import { loadRecord, loadRecordBlob, storedReport } from '../runner/stored-run.js';
import type { RunRecord } from '../runner/record.js';
import { boolean, defineCommand, text, type Values } from './command.js';
import { InputError } from './errors.js';
import { formatBytes, formatDuration, formatTable, formatTime } from './format-table.js';
import { findRun, openCommandStore } from './store-access.js';

const HELP = `usage: quire show RUN [--attempt N] [--json] [--report FILE] [--db URL]

  RUN            a run id, or a unique part of one (e.g. its last 6 characters)
  --attempt N    the record of attempt N (a failed attempt that was retried keeps its own)
  --json         the run, its attempts, artifacts and full record as JSON
  --report FILE  write the run's self-contained report.html to FILE
  --db URL       the run store (default: QUIRE_DB, else .quire/quire.db in the workspace)`;

const options = { json: boolean(), attempt: text(), report: text(), db: text() };

export const showCommand = defineCommand({
  name: 'show',
  help: HELP,
  positionals: { min: 1, max: 1, wrongCount: () => 'expected one run id' },
  options,
  run: (values, [id]) => show(values, id!),
});

async function show(values: Values<typeof options>, id: string): Promise<number> {
  const store = await openCommandStore(values.db);
  try {
    const run = await findRun(store, id);
    const [runRecord, attempts, artifacts] = await Promise.all([
      loadRecord(store, run),
      store.attempts(run.id),
      store.artifacts(run.id),
    ]);
    let record = runRecord;
    if (values.attempt !== undefined) {
      const number = Number(values.attempt);
      const attempt = attempts.find((a) => a.attempt === number);
      if (!attempt)
        throw new InputError(
          `--attempt: run ${run.id} has no attempt ${values.attempt} (it has ${attempts.map((a) => a.attempt).join(', ') || 'none'})`,
        );
      if (!attempt.recordSha256)
        throw new InputError(
          `attempt ${number} of run ${run.id} has no record: it ended ${attempt.status}${attempt.error ? ` (${attempt.error})` : ''}`,
        );
      record = await loadRecordBlob(store, attempt.recordSha256);
    }
    if (values.report !== undefined) {
      if (!record) throw new InputError(`run ${run.id} has no record yet (it is ${run.status})`);
      const html = await storedReport(store, run, record);
      await writeFile(values.report, html);
      process.stderr.write(`wrote ${values.report}\n`);
    }
    if (values.json) {
      process.stdout.write(
        JSON.stringify({ run, attempts, artifacts, record: record ?? null }, null, 2) + '\n',
      );
      return 0;
    }
    const lines = [
      `${run.id}  ${run.status}${run.error ? `: ${run.error}` : ''}`,
      `notebook   ${run.path}${run.title ? `  (${run.title})` : ''}`,
      `source     sha256 ${run.sha256}`,
      `trigger    ${run.trigger}${run.rerunOf ? ` of ${run.rerunOf}` : ''}${run.sweepId ? ` · sweep ${run.sweepId}` : ''}`,
      `params     ${JSON.stringify(run.params)}`,
      `started    ${formatTime(run.startedAt)}  finished ${formatTime(run.finishedAt)}  ${formatDuration(run.durationMs)}`,
      `attempt    ${run.attempt} of ${run.maxAttempts}${run.worker ? ` · ${run.worker}` : ''}`,
    ];
    if (run.metrics) lines.push(`metrics    ${JSON.stringify(run.metrics)}`);
    if (record && values.attempt !== undefined)
      lines.push(`record     of attempt ${values.attempt}: ${record.status}`);
    if (record) {
      lines.push(
        `runtime    node ${record.runtime.node} · quire ${record.runtime.quire} · duckdb ${record.runtime.duckdb ?? '-'}`,
      );
      lines.push('', cellTable(record));
    }
    if (attempts.length > 1) {
      lines.push(
        '',
        formatTable(
          ['ATTEMPT', 'WORKER', 'STATUS', 'STARTED (UTC)', 'RECORD', 'ERROR'],
          attempts.map((a) => [
            String(a.attempt),
            a.worker ?? '',
            a.status,
            formatTime(a.startedAt),
            // a retried attempt's record is read with --attempt N
            a.recordSha256 ? a.recordSha256.slice(0, 12) : '-',
            a.error ?? '',
          ]),
        ),
      );
    }
    lines.push(
      '',
      formatTable(
        ['ARTIFACT', 'TYPE', 'SIZE', 'SHA256'],
        artifacts.map((a) => [a.name, a.mime, formatBytes(a.size), a.sha256]),
      ),
    );
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  } finally {
    await store.close();
  }
}

function cellTable(record: RunRecord): string {
  return formatTable(
    ['CELL', 'LANGUAGE', 'STATUS', 'DURATION', 'OUTPUTS', 'ERROR'],
    record.cells.map((c) => [
      c.name ?? c.id,
      c.language,
      c.status,
      formatDuration(c.durationMs),
      String(c.outputs.length),
      c.error
        ? `line ${c.error.fileLine ?? c.error.line ?? '?'}: ${c.error.message.split('\n')[0]}`
        : (c.skippedBecause ?? ''),
    ]),
  );
}
