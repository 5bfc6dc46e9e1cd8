/**
 * Outputs arrive from a kernel process, which runs user code and so is not trusted to send the
 * shapes types.ts promises. This gives every known MIME type its expected shape before the host
 * redacts, sanitizes and caps it; unknown MIME types pass through as JSON data.
 */
import { MIME, type ErrorData, type Output, type StreamData, type TableData } from './types.js';

const TEXT_MIMES: ReadonlySet<string> = new Set([MIME.text, MIME.html, MIME.markdown, MIME.svg]);

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function stream(value: unknown): StreamData {
  const data = record(value);
  return { name: data.name === 'stderr' ? 'stderr' : 'stdout', text: asText(data.text ?? '') };
}

function table(value: unknown): TableData {
  const data = record(value);
  const columns = Array.isArray(data.columns) ? data.columns.map(record) : [];
  const rows = Array.isArray(data.rows) ? data.rows.map((row) => (Array.isArray(row) ? row : [row])) : [];
  return {
    columns: columns.map((c) => ({ name: asText(c.name ?? ''), type: asText(c.type ?? '') })),
    rows,
    rowCount: typeof data.rowCount === 'number' ? data.rowCount : rows.length,
    truncated: data.truncated === true,
  };
}

function error(value: unknown): ErrorData {
  const data = record(value);
  const out: ErrorData = { name: asText(data.name ?? 'Error'), message: asText(data.message ?? '') };
  if (typeof data.line === 'number') out.line = data.line;
  if (typeof data.column === 'number') out.column = data.column;
  if (data.stack !== undefined) out.stack = asText(data.stack);
  return out;
}

export function normalizeOutput(output: Output): Output {
  const mime = typeof output.mime === 'string' ? output.mime : 'application/octet-stream';
  if (TEXT_MIMES.has(mime)) return { mime, data: asText(output.data) };
  if (mime === MIME.stream) return { mime, data: stream(output.data) };
  if (mime === MIME.table) return { mime, data: table(output.data) };
  if (mime === MIME.error) return { mime, data: error(output.data) };
  return { mime, data: output.data };
}
