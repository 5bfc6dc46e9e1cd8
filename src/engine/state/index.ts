/**
 * The reactive core (DESIGN §5): pure, no I/O. `createState(config)`, then
 * `applyToState(state, op) -> {state, effects}` for every cell change, run request and kernel
 * report. The notebook document (engine/document/) is its one user outside tests.
 */
export { applyToState, withCells } from './apply.js';
export { createState } from './create.js';
export { cellOf, isRunnable, scanInterpolations } from './cells.js';
export { PersistentMap } from './persistent-map.js';
export { RunQueue } from './run-queue.js';
export type {
  CellRuntime,
  CellStatusNotification,
  Effect,
  EngineConfig,
  EngineState,
  Failure,
  Notification,
  StateOperation,
  StateResult,
  RunProgress,
  RunStatus,
} from './types.js';
