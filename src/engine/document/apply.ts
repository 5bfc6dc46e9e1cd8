/**
 * applyOperation: the one way a notebook document changes (Livebook's apply_operation). An edit
 * changes the text (edits.ts) and tells the reactive core what changed; a run request or a kernel
 * report goes to the core as it is. Pure: it returns the next document and the effects the Engine
 * carries out, in order. A refused operation (an unknown cell, an edit the format cannot make, an
 * ill-typed param) returns the input document, no effects and `error`.
 */
import { NotebookEditError, ParamError } from '../../format/errors.js';
import { validateParamValue } from '../../format/params.js';
import type { ParamValue } from '../../format/types.js';
import { applyToState, withCells } from '../state/apply.js';
import { cellOf } from '../state/cells.js';
import type { Effect, EngineState, StateOperation } from '../state/types.js';
import { editText, type TextEdit } from './edits.js';
import type { EditOperation, NotebookDocument, Operation, OperationResult } from './types.js';

export function applyOperation(doc: NotebookDocument, op: Operation): OperationResult {
  switch (op.type) {
    case 'editCell':
    case 'insertCell':
    case 'deleteCell':
    case 'moveCell':
    case 'renameCell':
      return applyEdit(doc, op);
    case 'setParams':
      return setParams(doc, op.values);
    case 'runCell':
      if (!cellOf(doc.state, op.id)) return refused(doc, `no cell with id "${op.id}"`);
      return passThrough(doc, op);
    default:
      return passThrough(doc, op);
  }
}

const refused = (doc: NotebookDocument, error: string): OperationResult => ({ doc, effects: [], error });

/** Run requests and kernel reports change the state only, never the cells. */
function passThrough(doc: NotebookDocument, op: StateOperation): OperationResult {
  const result = applyToState(doc.state, op);
  if (result.error !== undefined) return refused(doc, result.error);
  return { doc: { notebook: doc.notebook, state: result.state }, effects: result.effects };
}

function applyEdit(
  doc: NotebookDocument,
  op: Exclude<EditOperation, { type: 'setParams' }>,
): OperationResult {
  let text: TextEdit;
  try {
    text = editText(doc, op);
  } catch (error) {
    if (error instanceof NotebookEditError) return refused(doc, error.message);
    throw error;
  }
  const { state, effects } = applyAll(doc.state, text.changes);
  // The core's cells become the parse's: one array, with the lines and bytes of the new text.
  const next = { notebook: text.notebook, state: withCells(state, text.notebook.cells) };
  return {
    doc: next,
    effects,
    ...(text.renamed ? { renamed: text.renamed } : {}),
    ...(text.cellId !== undefined ? { cellId: text.cellId } : {}),
  };
}

function applyAll(state: EngineState, changes: StateOperation[]): { state: EngineState; effects: Effect[] } {
  const effects: Effect[] = [];
  let current = state;
  for (const change of changes) {
    const result = applyToState(current, change);
    // The text edit found every cell it names: the core refusing one means the two disagree.
    if (result.error !== undefined) throw new Error(`the document and its state disagree: ${result.error}`);
    current = result.state;
    effects.push(...result.effects);
  }
  return { state: current, effects };
}

/** Values for the front matter's params, each checked against its type. */
function setParams(doc: NotebookDocument, values: Readonly<Record<string, ParamValue>>): OperationResult {
  const specs = doc.notebook.frontMatter?.params ?? [];
  const checked: Record<string, ParamValue> = {};
  try {
    for (const [name, value] of Object.entries(values)) {
      const spec = specs.find((s) => s.name === name);
      if (!spec) throw new ParamError(`unknown param "${name}"`, name);
      checked[name] = validateParamValue(spec, value);
    }
  } catch (error) {
    if (error instanceof ParamError) return refused(doc, error.message);
    throw error;
  }
  return passThrough(doc, { type: 'setParams', values: checked });
}
