/**
 * The cell that is running now, and where its outputs go. Every output passes through the cell's
 * budget; stream chunks (console, process.stdout) are coalesced so that a loop of small writes
 * becomes a few messages. Output that arrives when no cell runs (a timer after its cell finished)
 * has no owner and is dropped.
 */
import { OutputBudget } from '../output-cap.js';
import { MIME, type Output, type StreamData } from '../../outputs/types.js';
import { send } from './channel.js';

export interface CellRun {
  seq: number;
  cellId: string;
  budget: OutputBudget;
}

/** Flush a stream chunk once this much text is pending, even inside a synchronous loop. */
const COALESCE_BYTES = 64 * 1024;

let current: CellRun | undefined;
let pending: { cell: CellRun; name: StreamData['name']; text: string } | undefined;
let flushScheduled = false;

export function currentCell(): CellRun | undefined {
  return current;
}

export function beginCell(seq: number, cellId: string, capBytes: number): CellRun {
  flushStreams();
  current = { seq, cellId, budget: new OutputBudget(capBytes) };
  return current;
}

export function endCell(): void {
  flushStreams();
  current = undefined;
}

function sendAdmitted(cell: CellRun, output: Output): void {
  for (const admitted of cell.budget.admit(output)) {
    if (!send({ type: 'cellOutput', seq: cell.seq, cellId: cell.cellId, output: admitted })) {
      const note = `[an output of type ${admitted.mime} could not be sent: it is not serializable]`;
      send({
        type: 'cellOutput',
        seq: cell.seq,
        cellId: cell.cellId,
        output: { mime: MIME.text, data: note },
      });
    }
  }
}

/** Emits a rich output of the current cell, after any stream text written before it. */
export function emit(output: Output): void {
  const cell = current;
  if (!cell) return;
  flushStreams();
  sendAdmitted(cell, output);
}

export function writeStream(name: StreamData['name'], text: string): void {
  const cell = current;
  if (!cell || cell.budget.isTruncated || text.length === 0) return;
  if (pending && (pending.name !== name || pending.cell !== cell)) flushStreams();
  if (pending) pending.text += text;
  else pending = { cell, name, text };
  if (pending.text.length >= COALESCE_BYTES) flushStreams();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushStreams);
  }
}

export function flushStreams(): void {
  flushScheduled = false;
  const chunk = pending;
  pending = undefined;
  if (chunk) sendAdmitted(chunk.cell, { mime: MIME.stream, data: { name: chunk.name, text: chunk.text } });
}
