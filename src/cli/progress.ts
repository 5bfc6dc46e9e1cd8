/**
 * Progress lines on stderr. On a terminal: one line per cell as it finishes. Elsewhere (CI logs):
 * only failures and the final summary, so logs stay short. Errors always name file, cell and line.
 */
import type { CellRecord, RunRecord } from '../runner/record.js';

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const SYMBOL: Record<string, string> = { ok: '✓', error: '✗', skipped: '-' };

export function createProgressPrinter(stream: Stream) {
  const tty = stream.isTTY === true;
  const color = (code: number, text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    warning(message: string): void {
      stream.write(color(33, `warning: ${message}`) + '\n');
    },
    cellFinished(cell: CellRecord, path: string): void {
      if (cell.status === 'error') {
        const where = cell.error?.fileLine ?? cell.line;
        stream.write(
          color(31, `✗ ${path}: cell "${cell.id}" (line ${where}): ${cell.error?.message ?? 'failed'}`) +
            '\n',
        );
        return;
      }
      if (!tty) return;
      const reason = cell.skippedBecause ? `  (skipped: ${cell.skippedBecause})` : '';
      const line = `${SYMBOL[cell.status] ?? '?'} ${cell.id.padEnd(24)} ${String(Math.round(cell.durationMs)).padStart(6)} ms${reason}`;
      stream.write(color(cell.status === 'ok' ? 32 : 90, line) + '\n');
    },
    finished(record: RunRecord, outDir?: string): void {
      const counts = { ok: 0, error: 0, skipped: 0 };
      for (const cell of record.cells) counts[cell.status]++;
      const parts = [`${counts.ok} ok`, `${counts.error} failed`, `${counts.skipped} skipped`];
      const head = record.status === 'ok' ? color(32, 'run ok') : color(31, `run ${record.status}`);
      const where = outDir ? ` · ${outDir}/report.html` : '';
      stream.write(`${head}: ${parts.join(', ')} in ${Math.round(record.durationMs)} ms${where}\n`);
    },
  };
}
