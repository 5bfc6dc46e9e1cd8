/**
 * The one error type of static analysis: a problem in a cell's source with a 1-based line and
 * column relative to the cell source (never to the notebook file: the caller adds the cell offset).
 */

/** A syntax error or a rejected construct in one cell. */
export class CellSourceError extends Error {
  override readonly name = 'CellSourceError';
  constructor(
    message: string,
    /** 1-based line in the cell source */
    readonly line: number,
    /** 1-based column in the cell source */
    readonly column: number,
  ) {
    super(`${message} (${line}:${column})`);
  }

  /** The plain `{message, line, column}` stored in a CellAnalysis. */
  toJSON(): { message: string; line: number; column: number } {
    return { message: this.message.replace(/ \(\d+:\d+\)$/, ''), line: this.line, column: this.column };
  }
}

/** 1-based line and column of `offset` in `text`. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
