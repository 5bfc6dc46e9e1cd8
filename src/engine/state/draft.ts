/**
 * The working state for the length of one operation. Operations replace its fields and collect
 * effects; `finish` makes it the new state. Nothing the input state holds is ever mutated (the
 * fields are immutable structures, replaced by their updated versions), so a rejected operation
 * can simply return the input state, and the draft costs nothing to make: no field is copied.
 */
import type { CellAnalysis } from '../../analysis/types.js';
import type { Cell, ParamValue } from '../../format/types.js';
import type { Graph } from '../../graph/index.js';
import type { PersistentMap } from './persistent-map.js';
import type { RunProgress } from './progress.js';
import type { RunQueue } from './run-queue.js';
import type { CellRuntime, Effect, EngineState, RunStatus } from './types.js';

export class Draft {
  private cellList: readonly Cell[];
  private cellIndex: ReadonlyMap<string, number>;
  analyses: PersistentMap<CellAnalysis>;
  graph: Graph;
  params: Readonly<Record<string, ParamValue>>;
  readonly builtins: readonly string[];
  runtime: PersistentMap<Readonly<CellRuntime>>;
  queue: RunQueue;
  running: string | null;
  awaitingKernel: boolean;
  run: RunProgress | null;
  readonly analyze: (cell: Cell) => CellAnalysis;
  readonly effects: Effect[] = [];

  constructor(state: EngineState) {
    this.cellList = state.cells;
    this.cellIndex = state.cellIndex;
    this.analyses = state.analyses;
    this.graph = state.graph;
    this.params = state.params;
    this.builtins = state.builtins;
    this.runtime = state.runtime;
    this.queue = state.queue;
    this.running = state.running;
    this.awaitingKernel = state.awaitingKernel;
    this.run = state.run;
    this.analyze = state.analyze;
  }

  finish(): EngineState {
    return {
      cells: this.cellList,
      cellIndex: this.cellIndex,
      analyses: this.analyses,
      graph: this.graph,
      params: this.params,
      builtins: this.builtins,
      runtime: this.runtime,
      queue: this.queue,
      running: this.running,
      awaitingKernel: this.awaitingKernel,
      run: this.run,
      analyze: this.analyze,
    };
  }

  get cells(): readonly Cell[] {
    return this.cellList;
  }

  /** The cells in a new order, or with cells added or removed: O(n), like the graph rebuild. */
  setCells(cells: readonly Cell[]): void {
    this.cellList = cells;
    this.cellIndex = indexOf(cells);
  }

  /** The cell at `at` replaced by `cell` with the same id. */
  replaceCell(at: number, cell: Cell): void {
    const cells = this.cellList.slice();
    cells[at] = cell;
    this.cellList = cells;
  }

  cell(id: string): Cell | undefined {
    const at = this.cellIndex.get(id);
    return at === undefined ? undefined : this.cellList[at];
  }

  /** Where `id` is in `cells`, or -1. */
  cellAt(id: string): number {
    return this.cellIndex.get(id) ?? -1;
  }

  rt(id: string): Readonly<CellRuntime> {
    return this.runtime.get(id) ?? { status: 'idle', current: false };
  }

  /** Copy-on-write update of one cell's runtime (the previous state shares the old object). */
  patch(id: string, changes: Partial<CellRuntime>): void {
    const before = this.runtime.get(id);
    if (!before) return;
    if (Object.entries(changes).every(([key, value]) => before[key as keyof CellRuntime] === value)) return;
    this.runtime = this.runtime.set(id, { ...before, ...changes });
  }

  /** Adds `id` to the queue, at its place in the graph's order. */
  enqueueCell(id: string): void {
    this.queue = this.queue.add(id, this.graph.position.get(id) ?? Number.MAX_SAFE_INTEGER);
  }

  /** Sets the display status, clearing the details of the previous one, and notifies on change. */
  setStatus(id: string, status: RunStatus, details: Partial<CellRuntime> = {}): void {
    const before = this.runtime.get(id);
    if (!before) return;
    const next: CellRuntime = { status, current: before.current, ...details };
    this.runtime = this.runtime.set(id, next);
    const same =
      before.status === status &&
      before.error === next.error &&
      before.skippedBecause === next.skippedBecause &&
      before.failure === next.failure;
    if (!same) this.notifyStatus(id);
  }

  notifyStatus(id: string): void {
    const { status, error, failure, skippedBecause } = this.rt(id);
    const notification = { type: 'cellStatus' as const, cellId: id, status };
    this.effects.push({
      type: 'notify',
      notification: {
        ...notification,
        ...(error && { error }),
        ...(failure && { failure }),
        ...(skippedBecause && { skippedBecause }),
      },
    });
  }
}

/** id -> index in `cells`. */
export function indexOf(cells: readonly Cell[]): Map<string, number> {
  return new Map(cells.map((cell, i) => [cell.id, i]));
}
