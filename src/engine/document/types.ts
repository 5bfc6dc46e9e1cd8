/**
 * The notebook document (DESIGN §5 `engine/`): the one model of a notebook that the editor,
 * `quire run` and every later command share — its text (the parsed notebook, which serializes
 * back byte for byte), its cells under ids that never change while the document lives, and the
 * reactive state of those cells. It changes only through `applyOperation(doc, op)`.
 */
import type { CellLanguage } from '../../protocol/languages.js';
import type { Notebook, ParamValue } from '../../format/types.js';
import type { Effect, EngineState, StateOperation } from '../state/types.js';

export interface NotebookDocument {
  /**
   * The notebook as its text parses, each cell under its document id (load.ts): the parser's id
   * at load, a fresh one for an inserted cell. `serializeNotebook(notebook)` is the text to save.
   */
  readonly notebook: Notebook;
  /** the cells' run-time state; `state.cells` is `notebook.cells`, the same array */
  readonly state: EngineState;
}

/** A change of the text, as an editor or a command asks for it; the document finds the bytes. */
export type EditOperation =
  | { type: 'editCell'; id: string; source: string }
  | { type: 'insertCell'; index: number; language: CellLanguage; source: string; name?: string }
  | { type: 'deleteCell'; id: string }
  | { type: 'moveCell'; id: string; index: number }
  /** sets a code cell's `name` attribute (null removes it); the cells reading its result follow */
  | { type: 'renameCell'; id: string; name: string | null }
  /** param values by name, checked against the front matter's params */
  | { type: 'setParams'; values: Readonly<Record<string, ParamValue>> };

/** A run request or a kernel report: the reactive core's own operations, passed through. */
export type RunOperation = Exclude<
  StateOperation,
  { type: 'insertCell' | 'editCell' | 'deleteCell' | 'moveCell' | 'setParams' }
>;

export type Operation = EditOperation | RunOperation;

/** What a rename did to the other cells that read the old name. */
export interface RenamedUses {
  /** the cells rewritten to read the new name */
  rewritten: string[];
  /** cells that read the old name but could not be rewritten for certain (left as they were) */
  unsafe: { cellId: string; reason: string }[];
}

export interface OperationResult {
  doc: NotebookDocument;
  /** what the engine carries out, in order (the reactive core's effects) */
  effects: Effect[];
  /** set when the operation was refused: `doc` is then the input document and nothing happened */
  error?: string;
  /** a rename's rewrites of the cells that read the old name */
  renamed?: RenamedUses;
  /** the cell an edit created or changed the text of (an insert's new id) */
  cellId?: string;
}
