/**
 * A thrown value as ErrorData, with `line`/`column` relative to the cell source. Each cell's
 * function is compiled with the file name `quire-cell-<id>.js` (evaluate.ts), which names its
 * frames in stack traces; one wrapper line comes before the body, and `lineMap` maps body lines
 * to cell lines.
 */
import type { ErrorData } from '../../outputs/types.js';
import { config } from './config.js';
import { BODY_LINE_OFFSET } from './evaluate.js';
const RUNTIME_DIR = import.meta.url.replace(/^file:\/\//, '').replace(/[^/]*$/, '');

export interface CellSource {
  /** the sourceURL the cell's function was compiled with */
  file: string;
  lineMap?: number[];
}

export function cellFile(kind: string, cellId: string): string {
  return `quire-${kind}-${cellId.replace(/[^\w-]/g, '_')}.js`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cellLine(generatedStackLine: number, lineMap: number[] | undefined): number {
  const bodyLine = generatedStackLine - BODY_LINE_OFFSET;
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

/** V8's and Node's words when an allocation outside the heap (a Buffer, a typed array) fails. */
const ALLOCATION_FAILED =
  /Array buffer allocation failed|Cannot create a Buffer larger than|Invalid typed array length|allocation failed/i;

function messageOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  // Node 24 reports a failed Buffer allocation as ERR_MEMORY_ALLOCATION_FAILED, not a RangeError.
  if (
    (error instanceof RangeError && ALLOCATION_FAILED.test(error.message)) ||
    code === 'ERR_MEMORY_ALLOCATION_FAILED'
  )
    return `${error.message}: out of memory (the kernel's limit is ${config.memoryMb} MB)`;
  // Node puts the useful part of permission and system errors in `code` (ERR_ACCESS_DENIED…).
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
