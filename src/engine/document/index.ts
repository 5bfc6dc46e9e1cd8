/**
 * The notebook document (DESIGN §5): `loadDocument(notebook, config)`, then
 * `applyOperation(doc, op) -> {doc, effects}` for every edit, run request and kernel report.
 * Pure; the Engine (engine.ts) owns one and carries out the effects.
 */
export { applyOperation } from './apply.js';
export { labelAtLoad, loadDocument } from './load.js';
export type {
  EditOperation,
  NotebookDocument,
  Operation,
  OperationResult,
  RenamedUses,
  RunOperation,
} from './types.js';
