/**
 * A user's edit of the text: a minimal-diff change of the notebook (format/edit.ts, so untouched
 * cells keep their bytes) plus the cell changes the reactive core must hear. Throws
 * NotebookEditError when the edit cannot be made; apply.ts turns that into a refused operation.
 *
 * An edit that would merge two prose cells (inserting prose next to prose, deleting or moving the
 * code cell between them) would break the one cell, one id rule and is refused.
 */
import * as edit from '../../format/edit.js';
import { NotebookEditError } from '../../format/errors.js';
import type { Cell, Notebook } from '../../format/types.js';
import type { StateOperation } from '../state/types.js';
import { renameUses } from './rename-uses.js';
import { cellChange, relabel } from './changes.js';
import type { EditOperation, NotebookDocument, RenamedUses } from './types.js';

export interface TextEdit {
  notebook: Notebook;
  /** the reactive core's view of the edit, in order */
  changes: StateOperation[];
  renamed?: RenamedUses;
  cellId?: string;
}

type Edit = Exclude<EditOperation, { type: 'setParams' }>;

export function editText(doc: NotebookDocument, op: Edit): TextEdit {
  const nb = doc.notebook;
  const ids = nb.cells.map((c) => c.id);
  switch (op.type) {
    case 'editCell': {
      const index = indexOf(ids, op.id);
      const notebook = relabel(edit.setCellSource(nb, op.id, op.source), ids);
      return { notebook, changes: [cellChange(notebook.cells[index] as Cell)], cellId: op.id };
    }
    case 'renameCell':
      return rename(doc, ids, op);
    case 'insertCell': {
      const index = Math.min(op.index, ids.length);
      const spec: edit.NewCell =
        op.language === 'prose'
          ? { prose: op.source }
          : {
              language: op.language,
              source: op.source,
              ...(op.name ? { attributes: { name: op.name } } : {}),
            };
      assertNameFree(nb, op.name);
      const id = freshId(ids, op.name);
      const next = [...ids];
      next.splice(index, 0, id);
      const notebook = relabel(edit.insertCell(nb, index, spec), next);
      return {
        notebook,
        changes: [{ type: 'insertCell', cell: notebook.cells[index] as Cell, index }],
        cellId: id,
      };
    }
    case 'deleteCell': {
      const index = indexOf(ids, op.id);
      const notebook = relabel(
        edit.deleteCell(nb, op.id),
        ids.filter((_, i) => i !== index),
      );
      return { notebook, changes: [{ type: 'deleteCell', id: op.id }] };
    }
    case 'moveCell': {
      indexOf(ids, op.id);
      const next = ids.filter((id) => id !== op.id);
      next.splice(op.index, 0, op.id);
      const notebook = relabel(edit.moveCell(nb, op.id, op.index), next);
      return { notebook, changes: [{ type: 'moveCell', id: op.id, index: op.index }] };
    }
  }
}

function rename(doc: NotebookDocument, ids: string[], op: Extract<Edit, { type: 'renameCell' }>): TextEdit {
  const nb = doc.notebook;
  const index = indexOf(ids, op.id);
  const before = nb.cells[index] as Cell;
  if (before.kind !== 'code')
    throw new NotebookEditError(`cell "${op.id}" is prose: only a code cell has a name`);
  // Only the fence's info string changes. A name another cell declares (not as its `name`) is the
  // engine's to report: a duplicate definition, an error on both, as for text on disk.
  assertNameFree(nb, op.name, op.id);
  const notebook = relabel(edit.setCellAttributes(nb, op.id, { name: op.name }), ids);
  const changes = [cellChange(notebook.cells[index] as Cell)];
  const from = before.attributes.name;
  // Only a name the cell declares is read by others (a SQL cell's result), and only a new name can
  // take its place: removing a name leaves its readers to report it missing.
  const declared = doc.state.analyses.get(op.id)?.declarations ?? [];
  if (!from || !op.name || !declared.includes(from)) return { notebook, changes, cellId: op.id };
  const uses = renameUses(notebook, doc.state, index, from, op.name);
  return {
    notebook: uses.notebook,
    changes: [...changes, ...uses.changes],
    renamed: { rewritten: uses.rewritten, unsafe: uses.unsafe },
    cellId: op.id,
  };
}

function indexOf(ids: readonly string[], cellId: string): number {
  const index = ids.indexOf(cellId);
  if (index === -1) throw new NotebookEditError(`no cell with id "${cellId}"`);
  return index;
}

/**
 * A cell's `name` is its identity in the file and in run records, so two cells may not share one.
 * The parser does not check this, and the engine reports only names two cells *declare* (named SQL
 * cells), not two JS cells with one `name`: the document refuses such an edit itself.
 */
function assertNameFree(nb: Notebook, name: string | undefined | null, cellId?: string): void {
  if (name === undefined || name === null) return;
  const other = nb.cells.find((c) => c.kind === 'code' && c.attributes.name === name && c.id !== cellId);
  if (other) throw new NotebookEditError(`cell "${other.id}" is already named "${name}"`);
}

/**
 * An id for an inserted cell: its name when no cell has that id yet (a rename keeps a cell's id, so
 * a name can be free while the id is taken), else the first free `new-N`.
 */
function freshId(ids: readonly string[], name: string | undefined): string {
  if (name !== undefined && !ids.includes(name)) return name;
  for (let n = ids.length + 1; ; n++) if (!ids.includes(`new-${n}`)) return `new-${n}`;
}
