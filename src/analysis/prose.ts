/**
 * The references of a Markdown cell: the free names of its `${…}` interpolations. The format
 * parser has already found each expression's text; each must be one whole expression.
 */
import type { ProseCell } from '../format/types.js';
import { CellSourceError, positionAt } from './errors.js';
import { parseInterpolation } from './interpolation.js';

/** The free names of a Markdown cell's `${…}`, and the secrets they read. */
export function analyzeProse(cell: ProseCell): { references: string[]; secrets: string[] } {
  const names = new Set<string>();
  const secrets = new Set<string>();
  for (const interpolation of cell.interpolations) {
    // Parse `${…}` again rather than the bare text: the closing `}` proves the whole text was
    // consumed, and error offsets are then offsets into the cell source.
    const text = `${interpolation.expression}}`;
    try {
      const parsed = parseInterpolation(text, 0);
      for (const name of parsed.references) names.add(name);
      for (const name of parsed.secrets) secrets.add(name);
    } catch (error) {
      throw error instanceof CellSourceError
        ? relocate(error, text, cell.source, interpolation.start + 2)
        : error;
    }
  }
  return { references: [...names], secrets: [...secrets] };
}

/** Moves an error found in `text` to where `text` starts (`offset`) in the cell source. */
function relocate(error: CellSourceError, text: string, source: string, offset: number): CellSourceError {
  const lines = text.split('\n').slice(0, error.line - 1);
  const inner = lines.reduce((sum, line) => sum + line.length + 1, 0) + error.column - 1;
  const { line, column } = positionAt(source, offset + inner);
  return new CellSourceError(error.toJSON().message, line, column);
}
