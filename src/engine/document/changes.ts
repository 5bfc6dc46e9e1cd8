/** How a changed notebook meets the document: its ids, and what the reactive core hears. */
import { NotebookEditError } from '../../format/errors.js';
import type { Cell, Notebook } from '../../format/types.js';
import type { StateOperation } from '../state/types.js';
import { withIds } from './load.js';

/** The reactive core's view of a cell whose text changed. */
export function cellChange(cell: Cell): StateOperation {
  return cell.kind === 'code'
    ? { type: 'editCell', id: cell.id, source: cell.source, attributes: cell.attributes }
    : { type: 'editCell', id: cell.id, source: cell.source, interpolations: cell.interpolations };
}

/**
 * The format's result under the document's ids; a cell count other than `ids`' means two prose
 * cells ran into one.
 */
export function relabel(notebook: Notebook, ids: readonly string[]): Notebook {
  if (notebook.cells.length !== ids.length) {
    throw new NotebookEditError(
      'the edit would merge two prose cells: edit the neighbouring prose cell instead',
    );
  }
  return { ...notebook, cells: withIds(notebook.cells, ids) };
}
