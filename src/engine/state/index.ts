/**
 * The session core (DESIGN §5): pure, no I/O. `createState(config)`, then
 * `applyOperation(state, op) -> {state, effects}` for every edit, run request and kernel report.
 */
export { applyOperation } from './apply.js';
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
  Operation,
  OperationResult,
  RunProgress,
  RunStatus,
} from './types.js';
