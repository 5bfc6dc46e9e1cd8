/**
 * Why a kernel process died, in words a notebook author can act on. Pure: the host passes in what
 * it observed (exit code, signal, the tail of stderr, the runtime's exit marker).
 */
import { constants } from 'node:os';

/** The runtime writes this line to fd 2 from its `exit` handler, so the host can tell `process.exit(n)`. */
export const EXIT_MARKER = '\u0000quire-exit:';

// eslint-disable-next-line no-control-regex -- the NUL makes the marker impossible to print by accident
const EXIT_MARKER_LINE = /\u0000quire-exit:(-?\d+)\n?/g;

/** Removes exit-marker lines from a stderr chunk; returns the cleaned text and the code seen, if any. */
export function stripExitMarker(text: string): { text: string; exitCode?: number } {
  let exitCode: number | undefined;
  const cleaned = text.replace(EXIT_MARKER_LINE, (_line, code: string) => {
    exitCode = Number(code);
    return '';
  });
  return exitCode === undefined ? { text: cleaned } : { text: cleaned, exitCode };
}

export interface ExitObservation {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** the last few KiB of the child's stderr (V8 prints its fatal OOM message there) */
  stderrTail: string;
  /** the code the runtime reported through its exit marker: the cell called process.exit */
  exitCalled?: number;
  heapMb: number;
  /** the kernel's whole memory cap (launch.ts) */
  memoryMb?: number;
}

/** V8's words when its heap is full, and V8's and the C++ runtime's when the address space is. */
const HEAP_FULL = /JavaScript heap out of memory|Reached heap limit/i;
const MEMORY_FULL =
  /Fatal process out of memory|Failed to reserve virtual memory|std::bad_alloc|Allocation failed/i;

/**
 * Only what the process said counts: an abort (SIGABRT) alone is not an out-of-memory, since a
 * cell can call process.abort() and a native crash aborts too.
 */
export function ranOutOfMemory(observed: ExitObservation): boolean {
  return HEAP_FULL.test(observed.stderrTail) || MEMORY_FULL.test(observed.stderrTail);
}

/**
 * The signal that ended the kernel: the host's own observation, or the shell convention 128 + n
 * that a launcher between them (the sandbox) reports for a child it saw die by signal n.
 */
function signalOf(observed: ExitObservation): string | null {
  if (observed.signal) return observed.signal;
  const code = observed.code;
  if (code === null || code <= 128 || code >= 128 + 65) return null;
  const entry = Object.entries(constants.signals).find(([, number]) => number === code - 128);
  return entry ? entry[0] : null;
}

export function describeExit(observed: ExitObservation): string {
  if (ranOutOfMemory(observed)) {
    const limit = observed.memoryMb === undefined ? '' : `limit ${observed.memoryMb} MB; `;
    if (HEAP_FULL.test(observed.stderrTail))
      return `the kernel ran out of memory (${limit}the JavaScript heap reached its ${observed.heapMb} MB)`;
    return `the kernel ran out of memory (${limit.replace(/; $/, '') || 'a native allocation failed'})`;
  }
  // process.exit(n) said so first: 134 from a cell is its own choice, not a signal.
  const signal = observed.exitCalled === undefined ? signalOf(observed) : null;
  if (signal === 'SIGABRT') return 'the kernel crashed (it aborted: SIGABRT)';
  if (observed.exitCalled !== undefined) {
    return `the kernel exited: the cell called process.exit(${observed.exitCalled})`;
  }
  if (signal) return `the kernel was killed by signal ${signal}`;
  return `the kernel exited with code ${observed.code ?? 'unknown'}`;
}
