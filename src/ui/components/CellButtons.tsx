/**
 * What a cell can ask of the page (CellActions), and the buttons every cell header has: add a
 * TypeScript cell below (`+`, the common case in one click) or pick the language (`▾`), move, delete.
 */
import type { ComponentChildren } from 'preact';
import type { NotebookName } from '../completion/names.js';
import type { SnapshotCell } from '../session.js';
import { AddCellMenu, type NewCellLanguage } from './AddCell.js';
import type { PageAnswer, PageRequest } from './outputs/TableOutput.js';

export interface CellActions {
  onSourceChange: (cellId: string, source: string) => void;
  onRun: (cellId: string, mode: 'next' | 'inPlace', source: string) => void;
  onMove: (cellId: string, delta: -1 | 1) => void;
  onDelete: (cellId: string) => void;
  onInsertAfter: (cellId: string, language: NewCellLanguage) => void;
  /** a page of the cell's table output number `outputIndex`, from the server */
  onTablePage?: (cellId: string, outputIndex: number, request: PageRequest) => Promise<PageAnswer | null>;
  /** renames a code cell (null: no name); resolves with the server's refusal, or null */
  onRename?: (cellId: string, name: string | null) => Promise<string | null>;
  /** why a code cell cannot take `name`, or null (checked before `onRename`) */
  validateName?: (cellId: string, name: string) => string | null;
  /** the notebook names a cell's editor completes, read when completion opens */
  namesFor?: (cellId: string) => NotebookName[];
  /** a prose editor was closed with this text; `run`: render its `${…}` now (Shift-Enter) */
  onProseDone?: (cellId: string, source: string, run: boolean) => void;
}

export function CellButtons({
  cell,
  actions,
  proseBelow,
  children,
}: {
  cell: SnapshotCell;
  actions: CellActions;
  /** may a prose cell be added below this one */
  proseBelow: boolean;
  /** buttons of this kind of cell, before the common ones */
  children?: ComponentChildren;
}) {
  return (
    <span class="cell-buttons">
      {children}
      <button
        type="button"
        class="cell-add"
        title="Add a TypeScript cell below"
        onClick={() => actions.onInsertAfter(cell.id, 'ts')}
      >
        +
      </button>
      <AddCellMenu proseAllowed={proseBelow} onAdd={(language) => actions.onInsertAfter(cell.id, language)} />
      <button type="button" class="cell-up" title="Move up" onClick={() => actions.onMove(cell.id, -1)}>
        ↑
      </button>
      <button type="button" class="cell-down" title="Move down" onClick={() => actions.onMove(cell.id, 1)}>
        ↓
      </button>
      <button type="button" class="cell-delete" title="Delete cell" onClick={() => actions.onDelete(cell.id)}>
        ✕
      </button>
    </span>
  );
}
