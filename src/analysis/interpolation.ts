/**
 * One `${expr}` body: parsed with acorn (so braces inside strings, templates and comments of the
 * expression are handled by a real JS parser), checked to end at its `}`, and its free names.
 */
import { CellSourceError, positionAt } from './errors.js';
import { parseExpression } from './parse.js';
import { findReferences } from './references.js';
import { DYNAMIC_SECRET_MESSAGE, findSecretNames } from './secrets.js';

export interface ParsedInterpolation {
  /** offset of the expression (just past `${`) */
  start: number;
  /** the expression source, trimmed */
  expression: string;
  /** offset just past the closing `}` */
  end: number;
  references: string[];
  /** the secrets the expression reads with `secrets.get('NAME')` (fetched before its cell runs) */
  secrets: string[];
}

const TRAILER = /(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*\}/y;

/** Parses the expression starting at `start` (just past `${`) in `text`, up to its closing `}`. */
export function parseInterpolation(text: string, start: number): ParsedInterpolation {
  const node = parseExpression(text, start);
  TRAILER.lastIndex = node.end;
  const trailer = TRAILER.exec(text);
  if (!trailer) {
    // Point at what follows the expression (`b` in `${a b}`), not at the space before it.
    const next = Math.max(0, text.slice(node.end).search(/\S/));
    const { line, column } = positionAt(text, node.end + next);
    throw new CellSourceError('expected `}` to close `${`', line, column);
  }
  const end = node.end + trailer[0].length;
  const secrets = findSecretNames(node, text);
  const [dynamic] = secrets.dynamic;
  if (dynamic) throw new CellSourceError(DYNAMIC_SECRET_MESSAGE, dynamic.line, dynamic.column);
  return {
    start,
    expression: text.slice(start, end - 1).trim(),
    end,
    references: findReferences(node),
    secrets: secrets.names,
  };
}
