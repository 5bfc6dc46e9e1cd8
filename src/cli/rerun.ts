/**
 * `quire rerun RUN [--json] [--db URL]`: re-executes a stored run's exact source (from the store,
 * not the file as it is now) with the same params, records it as a `rerun` of the original, and
 * says whether the outputs match, cell by cell, and what drifted in the runtime (node, quire,
 * DuckDB, platform, lockfile). Exit 0 when the rerun succeeded and every output matches, 1 when it
 * failed or an output differs, 3 when it passed a time limit.
 */
import { join } from 'node:path';
import { compareRuns, type Comparison } from '../runner/compare.js';
import { loadRecord, loadSource } from '../runner/stored-run.js';
import { boolean, defineCommand, loadNotebookFile, runEdge, text } from './command.js';
import { InputError } from './errors.js';
import { createProgressPrinter } from './progress.js';
import { cliSecretTrail } from './audit-trail.js';
import { cliRecording } from './recording.js';
import { currentWorkspace, findRun, openCommandStore } from './store-access.js';

const HELP = `usage: quire rerun RUN [--json] [--db URL]

  RUN        a run id, or a unique part of one
  --json     print {original, rerun, status, comparison} as JSON
  --db URL   the run store (default: QUIRE_DB, else .quire/quire.db in the workspace)

exit codes: 0 same outputs · 1 the rerun failed or an output differs · 2 bad input · 3 a time limit passed`;

export const rerunCommand = defineCommand({
  name: 'rerun',
  help: HELP,
  positionals: { min: 1, max: 1, wrongCount: () => 'expected one run id' },
  options: { json: boolean(), db: text() },
  async run(values, [id]) {
    const workspace = currentWorkspace();
    const store = await openCommandStore(values.db, workspace);
    let original, source;
    try {
      const run = await findRun(store, id!);
      original = await loadRecord(store, run);
      if (!original)
        throw new InputError(`run ${run.id} has no record to compare with (it is ${run.status})`);
      source = { run, text: await loadSource(store, run) };
    } finally {
      await store.close();
    }
    const progress = createProgressPrinter(process.stderr);
    const recording = cliRecording(values.db, {
      trigger: 'rerun',
      rerunOf: source.run.id,
      warn: progress.warning,
    });
    const [{ runNotebook }, edge] = await Promise.all([
      import('../runner/run.js'),
      runEdge({ db: values.db, workspace }),
    ]);
    // Each secret a cell is given is a `secret.read` in the store's audit log, as for `quire run`.
    const trail = cliSecretTrail(values.db, workspace, edge.secrets);
    let stored: string | undefined;
    const result = await runNotebook({
      notebook: await loadNotebookFile(join(workspace, source.run.path), source.text),
      workspace,
      params: source.run.params,
      paramSource: 'json',
      limits: source.run.timeoutMs ? { timeoutMs: source.run.timeoutMs } : {},
      ...edge,
      secrets: trail.secrets,
      recorder: {
        warning: progress.warning,
        started: recording.started,
        cellFinished: progress.cellFinished,
        finished: async ({ record }) => {
          // The reads' store is closed first: two SQLite connections of one process must not write at once.
          await trail.close();
          stored = await recording.finish(record);
        },
      },
    }).finally(() => trail.close());
    const comparison = compareRuns(original, result.record);
    if (values.json) {
      process.stdout.write(
        JSON.stringify(
          {
            original: source.run.id,
            rerun: stored ?? result.record.id,
            status: result.record.status,
            comparison,
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      process.stdout.write(describe(source.run.id, result.record.id, comparison) + '\n');
    }
    if (result.exitCode !== 0) return result.exitCode;
    return comparison.outputsMatch ? 0 : 1;
  },
});

export function describe(originalId: string, rerunId: string, c: Comparison): string {
  const lines = [`rerun ${rerunId} of ${originalId}: same source, same params`];
  if (!c.sameSource || !c.sameParams)
    lines[0] = `rerun ${rerunId} of ${originalId}: the source or params differ`;
  lines.push(
    c.outputsMatch
      ? `outputs match in all ${c.cells} cells`
      : `outputs differ in ${c.differences.length} of ${c.cells} cells:`,
  );
  for (const d of c.differences) lines.push(`  ${d.name ?? d.id}: ${d.what}`);
  if (c.drift.length === 0) lines.push('runtime: no drift (node, quire, duckdb, platform, lockfile)');
  for (const d of c.drift) lines.push(`runtime drift: ${d.field} ${d.before ?? '-'} → ${d.after ?? '-'}`);
  return lines.join('\n');
}
