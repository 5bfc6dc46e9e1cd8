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
 *
 * The format's edits find a cell by its parser id, and parser ids repeat when two cells of a file
 * share a `name` (a duplicate the engine reports): every edit is therefore made on a copy of the
 * notebook relabelled with the session ids, which are unique. Edits cannot make such a pair.
 */
import { analyzeCell } from '../analysis/index.js';
import { mentionsName, renameReferences } from '../analysis/rename.js';
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

export type EditCommand = CommandOf<'editCell' | 'insertCell' | 'deleteCell' | 'moveCell' | 'renameCell'>;

export interface EditResult {
  document: SessionDocument;
  op: Operation;
  /** a rename's rewrites of the cells that read the old name: their ops follow `op` */
  uses?: RenamedUses;
}

export interface RenamedUses {
  ops: Operation[];
  /** the cells rewritten to read the new name */
  rewritten: string[];
  /** cells that read the old name but could not be rewritten for certain (left as they were) */
  unsafe: { cellId: string; reason: string }[];
}

/** A cell as the engine sees it: the parsed cell under its stable id. */
export const engineCell = (doc: SessionDocument, index: number): Cell => ({
  ...(doc.notebook.cells[index] as Cell),
  id: doc.ids[index] as string,
});

export const engineCells = (doc: SessionDocument): Cell[] => doc.ids.map((_, i) => engineCell(doc, i));

/**
 * The session ids at load: the parser's, except that a repeated `name` (an error the engine
 * reports on both cells) gives the second cell its positional id, so that ids stay unique.
 */
export function loadDocument(notebook: Notebook): SessionDocument {
  const taken = new Set(notebook.cells.map((c) => c.id));
  const ids: string[] = [];
  for (const [i, cell] of notebook.cells.entries()) {
    const repeated = ids.includes(cell.id);
    ids.push(repeated ? unused(`cell-${i + 1}`, (id) => taken.has(id) || ids.includes(id)) : cell.id);
  }
  return { notebook, ids };
}

/** `base`, or `base-2`, `base-3`… when that is in use. */
function unused(base: string, used: (id: string) => boolean): string {
  let id = base;
  for (let n = 2; used(id); n++) id = `${base}-${n}`;
  return id;
}

function indexOf(doc: SessionDocument, cellId: string): number {
  const index = doc.ids.indexOf(cellId);
  if (index === -1) throw new NotebookEditError(`no cell with id "${cellId}"`);
  return index;
}

/** The notebook with each cell under its session id, so the format's edits address the right cell. */
function relabelled(doc: SessionDocument): Notebook {
  return { ...doc.notebook, cells: doc.notebook.cells.map((c, i) => ({ ...c, id: doc.ids[i] as string })) };
}

/** The engine operation that mirrors a changed cell's new text. */
function editOp(cell: Cell): Operation {
  return cell.kind === 'code'
    ? { type: 'editCell', id: cell.id, source: cell.source, attributes: cell.attributes }
    : { type: 'editCell', id: cell.id, source: cell.source, interpolations: cell.interpolations };
}

function expectCount(notebook: Notebook, count: number): Notebook {
  if (notebook.cells.length !== count) {
    throw new NotebookEditError(
      'the edit would merge two prose cells: edit the neighbouring prose cell instead',
    );
  }
  return notebook;
}

/**
 * A cell's `name` is its identity in the file and in run records, so two cells may not share one.
 * The parser does not check this, and the engine reports only names two cells *declare* (named SQL
 * cells), not two JS cells with one `name`: the session refuses such an edit itself.
 */
function assertNameFree(doc: SessionDocument, name: string | undefined | null, cellId?: string): void {
  if (name === undefined || name === null) return;
  const index = doc.notebook.cells.findIndex(
    (c, i) => c.kind === 'code' && c.attributes.name === name && doc.ids[i] !== cellId,
  );
  if (index !== -1) throw new NotebookEditError(`cell "${doc.ids[index]}" is already named "${name}"`);
}

/**
 * An id for an inserted cell: its name when no cell has that id yet (a rename keeps a cell's id, so
 * a name can be free while the id is taken), else the first free `new-N`.
 */
function freshId(doc: SessionDocument, name: string | undefined): string {
  if (name !== undefined && !doc.ids.includes(name)) return name;
  for (let n = doc.ids.length + 1; ; n++) if (!doc.ids.includes(`new-${n}`)) return `new-${n}`;
}

/**
 * Rewrites every other cell that reads `from` to read `to` (analysis/rename.ts). A cell that
 * cannot be rewritten for certain is left as it is and listed, as is one whose rewrite the format
 * refuses.
 */
function renameUses(
  doc: SessionDocument,
  renamedIndex: number,
  from: string,
  to: string,
): { document: SessionDocument; uses: RenamedUses } {
  const uses: RenamedUses = { ops: [], rewritten: [], unsafe: [] };
  let document = doc;
  for (const [index, id] of doc.ids.entries()) {
    if (index === renamedIndex) continue;
    const cell = engineCell(document, index);
    const analysis = analyzeCell(cell);
    if (analysis.error) {
      // A cell that does not parse may well read the name: say it was not rewritten.
      if (mentionsName(cell.source, from))
        uses.unsafe.push({ cellId: id, reason: `it does not parse (${analysis.error.message})` });
      continue;
    }
    if (!analysis.references.includes(from)) continue;
    const rewrite = renameReferences(cell, from, to);
    if (rewrite.kind === 'unchanged') continue;
    if (rewrite.kind === 'unsafe') {
      uses.unsafe.push({ cellId: id, reason: rewrite.reason });
      continue;
    }
    try {
      const notebook = edit.setCellSource(relabelled(document), id, rewrite.source);
      document = { notebook: expectCount(notebook, doc.ids.length), ids: doc.ids };
    } catch (error) {
      if (!(error instanceof NotebookEditError)) throw error;
      uses.unsafe.push({ cellId: id, reason: error.message });
      continue;
    }
    uses.ops.push(editOp(engineCell(document, index)));
    uses.rewritten.push(id);
  }
  return { document, uses };
}

/** Applies one edit; throws NotebookEditError when it cannot be applied. */
export function applyEdit(doc: SessionDocument, command: EditCommand): EditResult {
  const nb = relabelled(doc);
  const count = nb.cells.length;
  switch (command.type) {
    case 'editCell': {
      const index = indexOf(doc, command.cellId);
      const notebook = expectCount(edit.setCellSource(nb, command.cellId, command.source), count);
      const document = { notebook, ids: doc.ids };
      return { document, op: editOp(engineCell(document, index)) };
    }
    case 'renameCell': {
      const index = indexOf(doc, command.cellId);
      if (nb.cells[index]?.kind !== 'code') {
        throw new NotebookEditError(`cell "${command.cellId}" is prose: only a code cell has a name`);
      }
      // Only the fence's info string changes. A name another cell declares (not as its `name`) is
      // the engine's to report: a duplicate definition, an error on both, as for text on disk.
      assertNameFree(doc, command.name, command.cellId);
      const patch = { name: command.name };
      const notebook = expectCount(edit.setCellAttributes(nb, command.cellId, patch), count);
      const renamed = { notebook, ids: doc.ids };
      const op = editOp(engineCell(renamed, index));
      const before = nb.cells[index] as Cell;
      const from = before.kind === 'code' ? before.attributes.name : undefined;
      // Only a name the cell declares is read by others (a SQL cell's result), and only a new name
      // can take its place: removing a name leaves its readers to report it missing.
      if (!from || !command.name || !analyzeCell(before).declarations.includes(from)) {
        return { document: renamed, op };
      }
      const { document, uses } = renameUses(renamed, index, from, command.name);
      return { document, op, uses };
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
      assertNameFree(doc, command.name);
      const id = freshId(doc, command.name);
      const notebook = expectCount(edit.insertCell(nb, index, spec), count + 1);
      const ids = [...doc.ids];
      ids.splice(index, 0, id);
      const document = { notebook, ids };
      return { document, op: { type: 'insertCell', cell: engineCell(document, index), index } };
    }
    case 'deleteCell': {
      const index = indexOf(doc, command.cellId);
      const notebook = expectCount(edit.deleteCell(nb, command.cellId), count - 1);
      return {
        document: { notebook, ids: doc.ids.filter((_, i) => i !== index) },
        op: { type: 'deleteCell', id: command.cellId },
      };
    }
    case 'moveCell': {
      indexOf(doc, command.cellId);
      const notebook = expectCount(edit.moveCell(nb, command.cellId, command.index), count);
      const ids = doc.ids.filter((id) => id !== command.cellId);
      ids.splice(command.index, 0, command.cellId);
      return {
        document: { notebook, ids },
        op: { type: 'moveCell', id: command.cellId, index: command.index },
      };
    }
  }
}
