/**
 * A thrown value as ErrorData, with `line`/`column` relative to the cell source. Each cell's
 * function is compiled with a `//# sourceURL=quire-cell-<id>.js` comment at its end (so no line
 * shifts), which names its frames in stack traces; the Function constructor puts two header lines
 * (`async function anonymous(…` and `) {`) before the body, and `lineMap` maps body lines to cell lines.
 */
import type { ErrorData } from '../../outputs/types.js';

const FUNCTION_HEADER_LINES = 2;
const RUNTIME_DIR = import.meta.url.replace(/^file:\/\//, '').replace(/[^/]*$/, '');

export interface CellSource {
  /** the sourceURL the cell's function was compiled with */
  file: string;
  lineMap?: number[];
}

export function cellFile(kind: string, cellId: string): string {
  return `quire-${kind}-${cellId.replace(/[^\w-]/g, '_')}.js`;
}

/** Appended (never prepended: that would shift every line) to a cell's function body. */
export function sourceUrlComment(file: string): string {
  return `\n//# sourceURL=${file}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cellLine(generatedStackLine: number, lineMap: number[] | undefined): number {
  const bodyLine = generatedStackLine - FUNCTION_HEADER_LINES;
  return lineMap?.[bodyLine - 1] ?? bodyLine;
}

/** Stack without the runtime's own frames, positions of cell frames rewritten to cell lines. */
function cleanStack(stack: string, source: CellSource): string {
  const frame = new RegExp(`${escapeRegExp(source.file)}:(\\d+):(\\d+)`, 'g');
  return stack
    .split('\n')
    .filter((line) => !line.includes(RUNTIME_DIR))
    .map((line) =>
      line.replace(
        frame,
        (_m, l: string, c: string) => `${source.file}:${cellLine(Number(l), source.lineMap)}:${c}`,
      ),
    )
    .join('\n');
}

function locate(stack: string, source: CellSource): { line: number; column: number } | undefined {
  const match = new RegExp(`${escapeRegExp(source.file)}:(\\d+):(\\d+)`).exec(stack);
  if (!match) return undefined;
  return { line: cellLine(Number(match[1]), source.lineMap), column: Number(match[2]) };
}

function messageOf(error: Error): string {
  // Node puts the useful part of permission and system errors in `code` (ERR_ACCESS_DENIED…).
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && !error.message.includes(code)) return `${error.message} (${code})`;
  return error.message;
}

export function toErrorData(thrown: unknown, source?: CellSource): ErrorData {
  if (!(thrown instanceof Error)) return { name: 'Error', message: `Uncaught ${String(thrown)}` };
  const data: ErrorData = { name: thrown.name || 'Error', message: messageOf(thrown) };
  const preset = (thrown as { line?: unknown }).line;
  if (typeof preset === 'number') data.line = preset;
  const stack = typeof thrown.stack === 'string' ? thrown.stack : undefined;
  if (stack && source) {
    const position = data.line === undefined ? locate(stack, source) : undefined;
    if (position) Object.assign(data, position);
    data.stack = cleanStack(stack, source);
  } else if (stack) data.stack = stack;
  return data;
}

/** A short text for errors nobody awaited (printed to the running cell's stderr). */
export function describeUncaught(kind: string, thrown: unknown): string {
  const text =
    thrown instanceof Error ? (thrown.stack ?? `${thrown.name}: ${thrown.message}`) : String(thrown);
  return `${kind}: ${text}\n`;
}
