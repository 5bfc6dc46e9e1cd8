/**
 * Where a cell's outputs go. Every output passes through the cell's budget; stream chunks (console,
 * process.stdout) are coalesced so that a loop of small writes becomes a few messages. Output from
 * code whose run is over (a timer after its cell finished, while another cell runs) has no owner
 * and is dropped (context.ts).
 */
import { OutputBudget } from '../output-cap.js';
import { MIME, type Output, type StreamData } from '../../outputs/types.js';
import { send } from './channel.js';
import { finishCell, owningCell, runInCell, type CellRun } from './context.js';
import { runtimeSetImmediate } from './primordials.js';

/** Flush a stream chunk once this much text is pending, even inside a synchronous loop. */
const COALESCE_BYTES = 64 * 1024;

let pending: { cell: CellRun; name: StreamData['name']; text: string } | undefined;
let flushScheduled = false;

/** Runs `fn` as the execution `execution` of `cellId`, with its own output budget and secrets. */
export function withCell<T>(
  execution: string,
  cellId: string,
  capBytes: number,
  secrets: Record<string, string> | undefined,
  fn: (cell: CellRun) => T,
): T {
  flushStreams();
  const cell: CellRun = {
    execution,
    cellId,
    budget: new OutputBudget(capBytes),
    secrets: secrets ?? {},
    finished: false,
  };
  return runInCell(cell, () => fn(cell));
}

/** Flushes the cell's pending output; from now on it owns nothing (called before cellFinished). */
export function endCell(cell: CellRun): void {
  flushStreams();
  finishCell(cell);
}

function sendAdmitted(cell: CellRun, output: Output): void {
  for (const admitted of cell.budget.admit(output)) {
    const base = { type: 'cellOutput', execution: cell.execution, cellId: cell.cellId } as const;
    if (!send({ ...base, output: admitted })) {
      const note = `[an output of type ${admitted.mime} could not be sent: it is not serializable or too large]`;
      send({ ...base, output: { mime: MIME.text, data: note } });
    }
  }
}

/** Emits a rich output of the cell whose code runs now, after any stream text written before it. */
export function emit(output: Output): void {
  const cell = owningCell();
  if (!cell) return;
  flushStreams();
  sendAdmitted(cell, output);
}

export function writeStream(name: StreamData['name'], text: string): void {
  const cell = owningCell();
  if (!cell || cell.budget.isTruncated || text.length === 0) return;
  if (pending && (pending.name !== name || pending.cell !== cell)) flushStreams();
  if (pending) pending.text += text;
  else pending = { cell, name, text };
  if (pending.text.length >= COALESCE_BYTES) flushStreams();
  else if (!flushScheduled) {
    flushScheduled = true;
    runtimeSetImmediate(flushStreams);
  }
}

export function flushStreams(): void {
  flushScheduled = false;
  const chunk = pending;
  pending = undefined;
  if (chunk) sendAdmitted(chunk.cell, { mime: MIME.stream, data: { name: chunk.name, text: chunk.text } });
}
