/**
 * After a rename, every other cell that reads the old name is rewritten to read the new one
 * (analysis/rename.ts). A cell that cannot be rewritten for certain is left as it is and listed,
 * as is one whose rewrite the format refuses.
 */
import { analyzeCell } from '../../analysis/index.js';
import { mentionsName, renameReferences } from '../../analysis/rename.js';
import * as edit from '../../format/edit.js';
import { NotebookEditError } from '../../format/errors.js';
import type { Cell, Notebook } from '../../format/types.js';
import type { EngineState, StateOperation } from '../state/types.js';
import { cellChange, relabel } from './changes.js';

export interface Rewrites {
  notebook: Notebook;
  changes: StateOperation[];
  rewritten: string[];
  unsafe: { cellId: string; reason: string }[];
}

export function renameUses(
  renamed: Notebook,
  state: EngineState,
  renamedIndex: number,
  from: string,
  to: string,
): Rewrites {
  const ids = renamed.cells.map((c) => c.id);
  const out: Rewrites = { notebook: renamed, changes: [], rewritten: [], unsafe: [] };
  for (const [index, id] of ids.entries()) {
    if (index === renamedIndex) continue;
    const cell = out.notebook.cells[index] as Cell;
    // The state's analysis of the cell is current: only the renamed cell changed so far.
    const analysis = state.analyses.get(id) ?? analyzeCell(cell);
    if (analysis.error) {
      // A cell that does not parse may well read the name: say it was not rewritten.
      if (mentionsName(cell.source, from))
        out.unsafe.push({ cellId: id, reason: `it does not parse (${analysis.error.message})` });
      continue;
    }
    if (!analysis.references.includes(from)) continue;
    const rewrite = renameReferences(cell, from, to);
    if (rewrite.kind === 'unchanged') continue;
    if (rewrite.kind === 'unsafe') {
      out.unsafe.push({ cellId: id, reason: rewrite.reason });
      continue;
    }
    try {
      out.notebook = relabel(edit.setCellSource(out.notebook, id, rewrite.source), ids);
    } catch (error) {
      if (!(error instanceof NotebookEditError)) throw error;
      out.unsafe.push({ cellId: id, reason: error.message });
      continue;
    }
    out.changes.push(cellChange(out.notebook.cells[index] as Cell));
    out.rewritten.push(id);
  }
  return out;
}
