/**
 * Redaction across the chunks of a stream. A cell that writes a secret a character at a time, or
 * in two halves with an `await` between them, or past the kernel's 64 KB coalescing boundary,
 * sends it in several stream outputs, none of which holds a whole form. The host keeps, per stream
 * (stdout, stderr), the outputs that hold its last `longestForm - 1` characters; when the next
 * chunk completes a form begun in them, the begun part is cut from those outputs and the chunk
 * starts with `[REDACTED]`.
 *
 * The outputs are the very objects the session keeps (and the record is built from), so the cut
 * reaches the record, the run store, reloads of the editor and every export. A client of the
 * editor that watched the cell live has already been sent the earlier chunks: it saw the begun
 * part (never the whole value) until it reloads.
 *
 * Must not: hold more than one form's length of text per stream, or change non-stream outputs.
 */
import { MIME, type Output, type StreamData } from '../outputs/types.js';
import { REDACTED, type SecretRedactor } from './redactor.js';

type StreamName = StreamData['name'];

/**
 * Wraps a session's output gate (`prepareOutput`): stream chunks are redacted as one text with
 * the tail of the earlier chunks of the same stream.
 */
export function redactAcrossChunks(
  redactor: SecretRedactor,
  prepare: (output: Output) => Output,
): (output: Output) => Output {
  /** per stream, the kept outputs' data, oldest first */
  const tails = new Map<StreamName, StreamData[]>();
  return (output) => {
    if (output.mime !== MIME.stream || !isStreamData(output.data)) return prepare(output);
    const raw = output.data;
    const pieces = tails.get(raw.name) ?? [];
    const keep = redactor.longestForm - 1;
    const cut = keep > 0 ? crossing(redactor, tailOf(pieces, keep), raw.text) : undefined;
    let prepared: Output;
    if (cut) {
      cutEnd(pieces, cut.before);
      // The rest of the form is dropped with it; the marker stands where the form ended.
      prepared = prepare({ mime: output.mime, data: { ...raw, text: REDACTED + raw.text.slice(cut.after) } });
    } else {
      prepared = prepare(output);
    }
    if (prepared.mime === MIME.stream && isStreamData(prepared.data)) {
      pieces.push(prepared.data);
      trimTo(pieces, keep);
      tails.set(raw.name, pieces);
    }
    return prepared;
  };
}

const isStreamData = (data: unknown): data is StreamData =>
  typeof data === 'object' &&
  data !== null &&
  typeof (data as StreamData).text === 'string' &&
  ((data as StreamData).name === 'stdout' || (data as StreamData).name === 'stderr');

/** The last `length` characters of the pieces' text. */
function tailOf(pieces: readonly StreamData[], length: number): string {
  let tail = '';
  for (let i = pieces.length - 1; i >= 0 && tail.length < length; i--) tail = pieces[i]!.text + tail;
  return tail.slice(-length);
}

/**
 * The match of `tail + text` that starts in the tail and ends in `text`, if any: how many of the
 * tail's last characters it covers, and how many of `text`'s first.
 */
function crossing(
  redactor: SecretRedactor,
  tail: string,
  text: string,
): { before: number; after: number } | undefined {
  if (tail.length === 0 || text.length === 0) return undefined;
  // A form that starts in the tail ends within the text's first `longestForm` characters: only
  // those are scanned (the chunk itself is scanned once, by the redaction that follows).
  const found = redactor.find(tail + text.slice(0, redactor.longestForm));
  for (let i = 0; i < found.length; i += 2) {
    const start = found[i]!;
    const end = found[i + 1]!;
    if (start >= tail.length) return undefined;
    if (end > tail.length) return { before: tail.length - start, after: end - tail.length };
  }
  return undefined;
}

/** Removes the last `count` characters of the pieces' text (from the newest piece back). */
function cutEnd(pieces: StreamData[], count: number): void {
  let left = count;
  for (let i = pieces.length - 1; i >= 0 && left > 0; i--) {
    const piece = pieces[i]!;
    const removed = Math.min(left, piece.text.length);
    piece.text = piece.text.slice(0, piece.text.length - removed);
    left -= removed;
  }
}

/** Drops the oldest pieces not needed for the last `length` characters. */
function trimTo(pieces: StreamData[], length: number): void {
  let total = pieces.reduce((sum, piece) => sum + piece.text.length, 0);
  while (pieces.length > 1 && total - pieces[0]!.text.length >= length) total -= pieces.shift()!.text.length;
}
