/**
 * The run directory of `quire run --out DIR`: `manifest.json` (the run record) and a
 * self-contained `report.html`, written all at once (see run-dir.ts).
 */
import type { ReportCell, ReportInput } from '../outputs/render/report.js';
import { renderReport } from '../outputs/render/report.js';
import type { Notebook } from '../format/types.js';
import type { Redactor } from '../outputs/redact.js';
import type { RunRecord } from './record.js';
import { writeRunDir } from './run-dir.js';
export { preloadSanitizer } from '../outputs/sanitize.js';

export function reportInput(notebook: Notebook, record: RunRecord): ReportInput {
  const byId = new Map(record.cells.map((c) => [c.id, c]));
  const cells: ReportCell[] = notebook.cells.map((cell) => {
    const ran = byId.get(cell.id);
    const outputs = ran?.outputs ?? [];
    if (cell.kind === 'prose')
      return { id: cell.id, kind: 'prose', source: cell.source, echo: true, outputs };
    return {
      id: cell.id,
      kind: 'code',
      language: cell.language,
      ...(cell.attributes.name ? { name: cell.attributes.name } : {}),
      source: cell.source,
      echo: cell.attributes.echo,
      ...(ran ? { status: ran.status, durationMs: ran.durationMs } : {}),
      outputs,
      ...(ran?.error
        ? {
            error: {
              name: ran.error.name ?? 'Error',
              message: ran.error.message,
              ...(ran.error.line ? { line: ran.error.line } : {}),
            },
          }
        : {}),
      ...(ran?.skippedBecause ? { skippedBecause: ran.skippedBecause } : {}),
    };
  });
  return {
    title: record.notebook.title ?? record.notebook.path,
    notebookPath: record.notebook.path,
    status: record.status,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    params: record.params,
    runtime: { ...record.runtime },
    cells,
  };
}

export async function writeRunDirectory(
  outDir: string,
  result: { record: RunRecord; notebook: Notebook; redactor?: Redactor },
): Promise<string> {
  // The record is redacted already (field by field, redact-record.ts); the report adds only the
  // cells' sources, which get the same pass. Not renderReport's own `redactor`: that one rewrites
  // every string of its input, statuses and timestamps included.
  const input = reportInput(result.notebook, result.record);
  const { redactor } = result;
  const cells = redactor
    ? input.cells.map((cell) => ({ ...cell, source: redactor.redact(cell.source) }))
    : input.cells;
  const html = await renderReport({ ...input, cells });
  await writeRunDir(outDir, [
    { path: 'manifest.json', data: JSON.stringify(result.record, null, 2) + '\n' },
    { path: 'report.html', data: html },
  ]);
  return html;
}
