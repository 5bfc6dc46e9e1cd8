/**
 * A document from a parsed notebook. Document ids: the parser numbers unnamed cells by position
 * (`cell-3`), so an insert above would renumber every cell after it. A document keeps the ids its
 * cells had at load for as long as it lives, and gives an inserted cell a fresh one (its name, else
 * `new-N`); outputs, run records, events and the clients name cells by these ids. A repeated
 * `name` (an error the engine reports on both cells) gives the second cell its positional id, so
 * that ids are unique.
 */
import type { Cell, Notebook } from '../../format/types.js';
import { withCells } from '../state/apply.js';
import { createState } from '../state/create.js';
import type { EngineConfig } from '../state/types.js';
import type { NotebookDocument } from './types.js';

export function loadDocument(notebook: Notebook, config: Omit<EngineConfig, 'cells'>): NotebookDocument {
  const labelled = labelAtLoad(notebook);
  // One array of cells: the state's is the notebook's (createState copies what it is given).
  return {
    notebook: labelled,
    state: withCells(createState({ ...config, cells: labelled.cells }), labelled.cells),
  };
}

/** The notebook under the ids a document loaded from it gives its cells (without the analysis). */
export function labelAtLoad(notebook: Notebook): Notebook {
  return { ...notebook, cells: withIds(notebook.cells, loadIds(notebook.cells)) };
}

function loadIds(cells: readonly Cell[]): string[] {
  const taken = new Set(cells.map((c) => c.id));
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const [i, cell] of cells.entries()) {
    const id = seen.has(cell.id) ? unused(`cell-${i + 1}`, (x) => taken.has(x) || seen.has(x)) : cell.id;
    ids.push(id);
    seen.add(id);
  }
  return ids;
}

/** `base`, or `base-2`, `base-3`… when that is in use. */
export function unused(base: string, used: (id: string) => boolean): string {
  let id = base;
  for (let n = 2; used(id); n++) id = `${base}-${n}`;
  return id;
}

/** The cells under `ids` (parallel); a cell already under its id is kept as it is. */
export function withIds(cells: readonly Cell[], ids: readonly string[]): Cell[] {
  return cells.map((cell, i) => {
    const id = ids[i] as string;
    return cell.id === id ? cell : { ...cell, id };
  });
}
