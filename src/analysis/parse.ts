/**
 * acorn with the options every cell is parsed with, and acorn's syntax errors turned into
 * CellSourceErrors. Positions from acorn are relative to the text given to it.
 */
import { parse, parseExpressionAt, type Expression, type Options, type Program } from 'acorn';
import { CellSourceError, positionAt } from './errors.js';

const OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'module',
  allowAwaitOutsideFunction: true,
  // A top-level `return` stays a syntax error: it would skip the `return {…}` of the compiled cell.
  allowReturnOutsideFunction: false,
};

/** Parses a whole JS cell (already transpiled when it was TS). */
export function parseProgram(code: string): Program {
  try {
    return parse(code, OPTIONS);
  } catch (error) {
    throw toCellError(error, code);
  }
}

/** Parses one expression starting at `offset` of `text` (a `${…}` body); returns it and its end. */
export function parseExpression(text: string, offset: number): Expression {
  try {
    return parseExpressionAt(text, offset, OPTIONS);
  } catch (error) {
    throw toCellError(error, text);
  }
}

function toCellError(error: unknown, text: string): unknown {
  if (!(error instanceof SyntaxError)) return error;
  const pos = (error as SyntaxError & { pos?: number }).pos;
  const { line, column } = positionAt(text, pos ?? 0);
  // acorn appends " (line:column)" to its messages; ours carries the position separately.
  return new CellSourceError(error.message.replace(/ \(\d+:\d+\)$/, ''), line, column);
}
