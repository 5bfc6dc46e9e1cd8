/**
 * Byte caps for outputs (DESIGN §6: the host caps output size). Host side. Strings are measured
 * and cut without copying them whole, so a 100 MB output costs about `maxBytes` of new memory.
 */
import { MIME, type Output, type StreamData, type TableData } from './types.js';

/** `1.5 MB`: sizes in the units people read (1024-based, one decimal). */
export function formatBytes(bytes: number): string {
  const units = ['KB', 'MB', 'GB', 'TB'];
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
function utf8Prefix(text: string, maxBytes: number): string {
  const candidate = text.slice(0, maxBytes); // a char is at least one byte, so this is enough
  const { read } = new TextEncoder().encodeInto(candidate, new Uint8Array(maxBytes));
  let prefix = candidate.slice(0, read);
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) prefix = prefix.slice(0, -1); // half of a surrogate pair
  return prefix;
}

/** `text` if it fits, else its first `maxBytes` bytes and a visible `… [truncated: 100.0 MB total]`. */
export function capText(text: string, maxBytes: number): string {
  const total = byteLength(text);
  if (total <= maxBytes) return text;
  return `${utf8Prefix(text, maxBytes)}\n… [truncated: ${formatBytes(total)} total]`;
}

function jsonBytes(value: unknown): number {
  return byteLength(JSON.stringify(value) ?? '');
}

/** Keeps the leading rows that fit; `truncated` and `rowCount` still describe the whole result. */
function capTable(table: TableData, maxBytes: number): TableData | undefined {
  let used = jsonBytes({ ...table, rows: [] });
  if (used > maxBytes) return undefined;
  const rows: unknown[][] = [];
  for (const row of table.rows) {
    used += jsonBytes(row) + 1;
    if (used > maxBytes) break;
    rows.push(row);
  }
  return { ...table, rows, truncated: table.truncated || rows.length < table.rows.length };
}

/** What is left of an output too big to keep: a note that names what was dropped. */
function droppedNote(output: Output, size: number, maxBytes: number): Output {
  const text = `[${output.mime} output dropped: ${formatBytes(size)} is over the ${formatBytes(maxBytes)} limit]`;
  return { mime: MIME.text, data: text };
}

/**
 * The output within `maxBytes`: text and streams are cut with a marker, tables lose trailing rows,
 * errors keep their message and lose the rest of a huge stack; anything else too big becomes a
 * text note. Expects normalized data (see prepare.ts).
 */
export function capOutput(output: Output, maxBytes: number): Output {
  switch (output.mime) {
    case MIME.text:
      return { mime: output.mime, data: capText(output.data as string, maxBytes) };
    case MIME.stream: {
      const stream = output.data as StreamData;
      return { mime: output.mime, data: { ...stream, text: capText(stream.text, maxBytes) } };
    }
    case MIME.table: {
      const table = capTable(output.data as TableData, maxBytes);
      return table
        ? { mime: output.mime, data: table }
        : droppedNote(output, jsonBytes(output.data), maxBytes);
    }
    default:
      return capOther(output, maxBytes);
  }
}

function capOther(output: Output, maxBytes: number): Output {
  const size = typeof output.data === 'string' ? byteLength(output.data) : jsonBytes(output.data);
  if (size <= maxBytes) return output;
  if (output.mime === MIME.error) return capError(output, maxBytes);
  return droppedNote(output, size, maxBytes);
}

function capError(output: Output, maxBytes: number): Output {
  const error = output.data as { message: string; stack?: string };
  const half = Math.floor(maxBytes / 2);
  const data = { ...error, message: capText(error.message, half) };
  if (error.stack !== undefined) data.stack = capText(error.stack, half);
  return { mime: output.mime, data };
}
