/**
 * DuckDB error -> the Error a SQL cell reports: DuckDB's own message, plus `line` relative to the
 * cell. DuckDB's `LINE n:` counts from the start of the statement we sent it, so the statement's
 * own line in the cell is added; without a marker the statement's first line is the best guess.
 */

export interface SqlError extends Error {
  /** 1-based line in the cell */
  line?: number;
}

const LINE_MARKER = /\bLINE (\d+):/;

/** The line in the cell that a DuckDB message points at, given where its statement starts. */
export function lineFromMessage(message: string, statementLine: number): number {
  const match = LINE_MARKER.exec(message);
  return match ? statementLine + Number(match[1]) - 1 : statementLine;
}

export function sqlError(error: unknown, statementLine?: number): SqlError {
  const message = error instanceof Error ? error.message : String(error);
  const out: SqlError = new Error(message);
  out.name = 'SqlError';
  if (statementLine !== undefined) out.line = lineFromMessage(message, statementLine);
  return out;
}
