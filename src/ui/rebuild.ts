/**
 * Rebuilds a notebook's text after the editor changed code cells' sources, so that every byte
 * outside the edited cells stays as the author wrote it (DESIGN §2 rule 6). The cells from the
 * server carry their exact `raw` text; the file is BOM + front matter + the cells' raws, so the
 * prefix is whatever precedes the concatenated raws. An edited cell is re-rendered with the same
 * code as the server's edits (format/render.ts): its fence style kept, grown when the new source
 * holds a line that would close it. Pure, no DOM.
 */
import { firstEol, normalizeEols } from '../format/lines.js';
import { fenceParts, renderCodeCell } from '../format/render.js';
import type { Cell } from '../format/types.js';

/** The text before the first cell (BOM, front matter), or undefined when the cells do not tile the text. */
export function textPrefix(text: string, cells: readonly Cell[]): string | undefined {
  const body = cells.map((cell) => cell.raw).join('');
  if (!text.endsWith(body)) return undefined;
  return text.slice(0, text.length - body.length);
}

/** The raw text of a code cell whose source became `source`. */
export function renderEditedCell(cell: Cell, source: string, fileEol: string): string {
  if (cell.kind !== 'code') throw new Error('only code cells are edited in this version');
  const eol = firstEol(cell.raw, fileEol);
  return renderCodeCell(fenceParts(cell.raw), normalizeEols(source, eol));
}

export interface Rebuilt {
  text: string;
  /** the cells with their new raw and source (for the next save) */
  cells: Cell[];
}

/**
 * The new file text: `edits` maps a cell index to its new source. Throws when the cells do not
 * tile the text (the caller then offers the raw mode instead of guessing).
 */
export function rebuildText(
  text: string,
  cells: readonly Cell[],
  edits: ReadonlyMap<number, string>,
): Rebuilt {
  const prefix = textPrefix(text, cells);
  if (prefix === undefined)
    throw new Error('the cells do not match the notebook text; save from the raw mode');
  const fileEol = firstEol(text);
  const next = cells.map((cell, index) => {
    const source = edits.get(index);
    if (source === undefined || cell.kind !== 'code' || source === cell.source) return cell;
    return { ...cell, source, raw: renderEditedCell(cell, source, fileEol) };
  });
  return { text: prefix + next.map((cell) => cell.raw).join(''), cells: next };
}
