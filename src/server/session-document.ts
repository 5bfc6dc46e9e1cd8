/**
 * The document side of an editor session, pure: a client's edit becomes a minimal-diff format
 * edit (src/format/edit.ts, so untouched cells keep their bytes) plus the engine operation that
 * mirrors it.
 *
 * Ids: the parser numbers unnamed cells by position (`cell-3`), so an insert would renumber every
 * cell after it. The session keeps its own stable ids instead, one per cell of the notebook (the
 * parser's ids at load, fresh ones for inserted cells); the engine and the clients know only those.
 * An edit that would merge two prose cells (inserting prose next to prose, deleting or moving the
 * code cell between them) would break that one-to-one mapping and is refused.
 */
import * as edit from '../format/edit.js';
import { NotebookEditError } from '../format/errors.js';
import type { Cell, Notebook } from '../format/types.js';
import type { Operation } from '../engine/state/index.js';
import type { CommandOf } from '../protocol/index.js';

export interface SessionDocument {
  notebook: Notebook;
  /** the stable id of each cell, parallel to `notebook.cells` */
  ids: string[];
}

export type EditCommand = CommandOf<'editCell' | 'insertCell' | 'deleteCell' | 'moveCell'>;

export interface EditResult {
  document: SessionDocument;
  op: Operation;
}

/** A cell as the engine sees it: the parsed cell under its stable id. */
export const engineCell = (doc: SessionDocument, index: number): Cell => ({
  ...(doc.notebook.cells[index] as Cell),
  id: doc.ids[index] as string,
});

export const engineCells = (doc: SessionDocument): Cell[] => doc.ids.map((_, i) => engineCell(doc, i));

export function loadDocument(notebook: Notebook): SessionDocument {
  return { notebook, ids: notebook.cells.map((c) => c.id) };
}

function indexOf(doc: SessionDocument, cellId: string): number {
  const index = doc.ids.indexOf(cellId);
  if (index === -1) throw new NotebookEditError(`no cell with id "${cellId}"`);
  return index;
}

function expectCount(notebook: Notebook, count: number): Notebook {
  if (notebook.cells.length !== count) {
    throw new NotebookEditError(
      'the edit would merge two prose cells: edit the neighbouring prose cell instead',
    );
  }
  return notebook;
}

function freshId(doc: SessionDocument, name: string | undefined): string {
  if (name !== undefined) {
    if (doc.ids.includes(name)) throw new NotebookEditError(`a cell with id "${name}" exists`);
    return name;
  }
  for (let n = doc.ids.length + 1; ; n++) if (!doc.ids.includes(`new-${n}`)) return `new-${n}`;
}

/** Applies one edit; throws NotebookEditError when it cannot be applied. */
export function applyEdit(doc: SessionDocument, command: EditCommand): EditResult {
  const { notebook: nb } = doc;
  const count = nb.cells.length;
  switch (command.type) {
    case 'editCell': {
      const index = indexOf(doc, command.cellId);
      const notebook = expectCount(edit.setCellSource(nb, nb.cells[index]!.id, command.source), count);
      const document = { notebook, ids: doc.ids };
      const cell = engineCell(document, index);
      const op: Operation =
        cell.kind === 'code'
          ? { type: 'editCell', id: cell.id, source: cell.source, attributes: cell.attributes }
          : { type: 'editCell', id: cell.id, source: cell.source, interpolations: cell.interpolations };
      return { document, op };
    }
    case 'insertCell': {
      const index = Math.min(command.index, count);
      const spec: edit.NewCell =
        command.language === 'prose'
          ? { prose: command.source }
          : {
              language: command.language,
              source: command.source,
              ...(command.name ? { attributes: { name: command.name } } : {}),
            };
      const id = freshId(doc, command.name);
      const notebook = expectCount(edit.insertCell(nb, index, spec), count + 1);
      const ids = [...doc.ids];
      ids.splice(index, 0, id);
      const document = { notebook, ids };
      return { document, op: { type: 'insertCell', cell: engineCell(document, index), index } };
    }
    case 'deleteCell': {
      const index = indexOf(doc, command.cellId);
      const notebook = expectCount(edit.deleteCell(nb, nb.cells[index]!.id), count - 1);
      return {
        document: { notebook, ids: doc.ids.filter((_, i) => i !== index) },
        op: { type: 'deleteCell', id: command.cellId },
      };
    }
    case 'moveCell': {
      const index = indexOf(doc, command.cellId);
      const notebook = expectCount(edit.moveCell(nb, nb.cells[index]!.id, command.index), count);
      const ids = doc.ids.filter((_, i) => i !== index);
      ids.splice(command.index, 0, command.cellId);
      return {
        document: { notebook, ids },
        op: { type: 'moveCell', id: command.cellId, index: command.index },
      };
    }
  }
}
