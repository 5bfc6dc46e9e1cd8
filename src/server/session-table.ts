/**
 * A page of a cell's table output: from the kernel (the whole result; a named SQL result is paged
 * inside DuckDB) while the kernel still holds the value the output shows and the output's preview
 * does not hold every row; otherwise from the preview (session-view.ts).
 */
import type { CellResult } from '../engine/engine.js';
import type { RunStatus } from '../engine/state/index.js';
import type { Kernel } from '../kernel/types.js';
import { redactDeep, type Redactor } from '../outputs/redact.js';
import { MIME } from '../outputs/types.js';
import type { CommandOf, NotificationOf } from '../protocol/index.js';
import { tablePage } from './session-view.js';

export interface PageSource {
  /** the cell's latest execution */
  result: CellResult | undefined;
  status: RunStatus | undefined;
  /** the session's kernel while one is started and alive */
  kernel: Kernel | undefined;
  redactor: Redactor;
}

/** Throws (with the message for the client) when the cell has no such table output. */
export async function pageOf(
  command: CommandOf<'tablePage'>,
  { result, status, kernel, redactor }: PageSource,
): Promise<{ page: NotificationOf<'tablePage'>; fromKernel: boolean }> {
  const preview = tablePage(command, result);
  if (typeof preview === 'string') throw new Error(preview);
  const lastTable = (result?.outputs ?? []).map((o) => o.mime).lastIndexOf(MIME.table);
  const shown = command.outputIndex === undefined || command.outputIndex === lastTable;
  const inKernel = kernel !== undefined && (status === 'ok' || status === 'stale') && shown;
  if (inKernel && preview.pageableRows < preview.rowCount) {
    try {
      const page = await kernel.tablePage({
        cellId: command.cellId,
        offset: command.offset,
        limit: command.limit,
        ...(command.sort
          ? { sort: { column: command.sort.column, descending: command.sort.descending } }
          : {}),
      });
      return {
        fromKernel: true,
        page: {
          type: 'tablePage',
          requestId: command.requestId,
          cellId: command.cellId,
          offset: page.offset,
          columns: page.columns,
          rows: redactDeep(page.rows, redactor, { keys: false }) as unknown[][],
          pageableRows: page.rowCount,
          rowCount: page.rowCount,
          source: 'kernel',
        },
      };
    } catch {
      // The value is gone (a restarted or busy kernel, a re-run): the preview still answers.
    }
  }
  return { fromKernel: false, page: { ...preview, source: 'preview' } };
}
