/**
 * Why a kernel process died, in words a notebook author can act on. Pure: the host passes in what
 * it observed (exit code, signal, the tail of stderr, the runtime's exit marker).
 */

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
}

export function ranOutOfMemory(observed: ExitObservation): boolean {
  return (
    /heap out of memory|Reached heap limit|Allocation failed/i.test(observed.stderrTail) ||
    observed.signal === 'SIGABRT' ||
    observed.code === 134
  );
}

export function describeExit(observed: ExitObservation): string {
  if (ranOutOfMemory(observed)) return `the kernel ran out of memory (heap limit ${observed.heapMb} MB)`;
  if (observed.exitCalled !== undefined) {
    return `the kernel exited: the cell called process.exit(${observed.exitCalled})`;
  }
  if (observed.signal) return `the kernel was killed by signal ${observed.signal}`;
  return `the kernel exited with code ${observed.code ?? 'unknown'}`;
}
