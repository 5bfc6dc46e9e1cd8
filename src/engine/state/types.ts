/**
 * The vocabulary of the reactive core (DESIGN §3, §5): state, operations in, effects out.
 * `applyToState(state, op) -> {state, effects}` decides what should run; the notebook document
 * (engine/document/) wraps it with the text, and the Engine carries the effects out against a
 * kernel. Nothing here does I/O.
 */
import type { CellAnalysis } from '../../analysis/types.js';
import type { CellAttributes, Cell, Interpolation, ParamValue } from '../../format/types.js';
import type { Graph } from '../../graph/index.js';
import type { ErrorData } from '../../outputs/types.js';
import type { PersistentMap } from './persistent-map.js';
import type { RunProgress } from './progress.js';
import type { RunQueue } from './run-queue.js';
import type { CellState } from '../../protocol/states.js';

export type { RunProgress } from './progress.js';

/** What the UI shows for a cell. `stale`: its source or inputs changed since it last ran. */
export type RunStatus = CellState;

/** Why a cell ended in `error`: it threw, passed its limit, its kernel died, or it could not run. */
export type Failure = 'exception' | 'timeout' | 'crash' | 'static';

/** The engine's knowledge of one cell at run time. */
export interface CellRuntime {
  status: RunStatus;
  /** the kernel holds this cell's names, computed from its current source and current inputs */
  current: boolean;
  error?: ErrorData;
  failure?: Failure;
  /** for `skipped`: the failing (or never-run) upstream cell that is the cause */
  skippedBecause?: string;
  /** the status to restore when an interrupt takes the cell off the queue */
  beforeQueued?: RunStatus;
  /** the cell's source or inputs changed while it ran: its result is stale on arrival */
  invalidatedWhileRunning?: boolean;
}

export interface EngineConfig {
  /** the notebook's cells in document order */
  cells: readonly Cell[];
  /** param values by name; their names are builtins of the graph */
  params?: Readonly<Record<string, ParamValue>>;
  /** other names defined outside cells (none by default); defining one is an error */
  builtins?: readonly string[];
  /** static analysis of one cell (normally `analyzeCell` from src/analysis) */
  analyze: (cell: Cell) => CellAnalysis;
  /** precomputed analyses by cell id; `analyze` is called for the others */
  analyses?: Readonly<Record<string, CellAnalysis>>;
}

/**
 * The state is immutable, and one operation changes one or two cells: the per-cell parts are kept
 * in structures that share everything an operation does not change (PersistentMap, RunQueue), so
 * an operation costs O(log n) in the number of cells n, not a copy of the state. Edits to the
 * notebook itself (insert, edit, delete, move) rebuild the graph and cost O(n) anyway.
 */
export interface EngineState {
  /** cells in document order: in a NotebookDocument, the very array of its notebook */
  readonly cells: readonly Cell[];
  /** cell id -> its index in `cells` (see `cellOf`) */
  readonly cellIndex: ReadonlyMap<string, number>;
  readonly analyses: PersistentMap<CellAnalysis>;
  readonly graph: Graph;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly builtins: readonly string[];
  readonly runtime: PersistentMap<Readonly<CellRuntime>>;
  /** cells waiting to run, in topological order (may include the running cell again) */
  readonly queue: RunQueue;
  /** the cell whose `execute` was emitted and whose `cellFinished` has not arrived */
  readonly running: string | null;
  /** the kernel died (timeout/crash): nothing is executed until `kernelRestarted` */
  readonly awaitingKernel: boolean;
  readonly run: RunProgress | null;
  readonly analyze: (cell: Cell) => CellAnalysis;
}

// ---- operations -------------------------------------------------------------------------------

/**
 * What the reactive core is told. The edits here (insertCell with a parsed cell, editCell with a
 * source) are what the notebook document (engine/document/) derives from a user's edit of the
 * text; the run requests and kernel reports are the document's own operations, passed through.
 */
export type StateOperation =
  | { type: 'insertCell'; cell: Cell; index: number; analysis?: CellAnalysis }
  | {
      type: 'editCell';
      id: string;
      source: string;
      /** code cells: the new attributes (kept when absent) */
      attributes?: CellAttributes;
      /** prose cells: the new interpolations (found by a simple scan of `source` when absent) */
      interpolations?: Interpolation[];
      /** the new analysis (computed with `analyze` when absent) */
      analysis?: CellAnalysis;
    }
  | { type: 'deleteCell'; id: string }
  | { type: 'moveCell'; id: string; index: number }
  | { type: 'setParams'; values: Readonly<Record<string, ParamValue>> }
  | { type: 'runCell'; id: string }
  | { type: 'runAll' }
  | { type: 'runStale' }
  | { type: 'cellStarted'; id: string }
  | {
      type: 'cellFinished';
      id: string;
      status: 'ok' | 'error';
      error?: ErrorData;
      /** `timeout` and `crash` mean the kernel process is gone: send `kernelRestarted` next */
      failure?: 'exception' | 'timeout' | 'crash';
    }
  | { type: 'kernelRestarted' }
  | { type: 'interrupt' };

// ---- effects ----------------------------------------------------------------------------------

export interface CellStatusNotification {
  type: 'cellStatus';
  cellId: string;
  status: RunStatus;
  error?: ErrorData;
  failure?: Failure;
  skippedBecause?: string;
}

export type Notification = CellStatusNotification;

export type Effect =
  /** run this cell in the kernel; at most one is outstanding (the next after its `cellFinished`) */
  | { type: 'execute'; cellId: string }
  /** remove these names from the kernel scope */
  | { type: 'deleteNames'; names: string[] }
  /** a deleted cell: the kernel forgets what it left behind (its names, its pending timers) */
  | { type: 'forgetCell'; cellId: string }
  /** define (or redefine) these params in the kernel scope */
  | { type: 'defineParams'; values: Record<string, ParamValue> }
  /** ask the kernel to stop the running cell (an `interrupt` arrived while one ran) */
  | { type: 'interruptKernel' }
  | { type: 'notify'; notification: Notification }
  /** the queue drained: nothing runs or waits. `errors`/`skipped` list this run's failures. */
  | { type: 'runFinished'; errors: string[]; skipped: string[] };

export interface StateResult {
  state: EngineState;
  effects: Effect[];
  /** set when the operation was rejected (unknown cell, …): `state` is then the input state */
  error?: string;
}
