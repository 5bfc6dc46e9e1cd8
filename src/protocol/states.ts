/**
 * The states things go through, one list each, shared by the engine, the store, the server, the
 * CLI and the browser. Pure data.
 */

/** A cell's state in the engine and the editor. `stale`: its source or inputs changed since it last ran. */
export const CELL_STATES = ['idle', 'queued', 'running', 'ok', 'error', 'skipped', 'stale'] as const;
export type CellState = (typeof CELL_STATES)[number];

/** A run's state in the run store, the REST API, `quire runs` and the editor's history. */
export const RUN_STATES = ['queued', 'running', 'ok', 'error', 'timeout', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** The states a run does not leave. */
export const FINAL_RUN_STATES: readonly RunState[] = ['ok', 'error', 'timeout', 'cancelled'];
