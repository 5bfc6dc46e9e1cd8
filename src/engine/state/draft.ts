/**
 * A mutable working copy of the state for the length of one operation. Operations mutate the
 * draft and collect effects; `finish` freezes it back into a new state. The input state is never
 * touched, so a rejected operation can simply return it.
 */
import type { CellAnalysis } from '../../analysis/types.js';
import type { Cell, ParamValue } from '../../format/types.js';
import type { Graph } from '../../graph/index.js';
import type { CellRuntime, Effect, EngineState, RunProgress, RunStatus } from './types.js';

export class Draft {
  cells: Cell[];
  analyses: Map<string, CellAnalysis>;
  graph: Graph;
  params: Record<string, ParamValue>;
  readonly builtins: readonly string[];
  runtime: Map<string, CellRuntime>;
  queue: string[];
  running: string | null;
  awaitingKernel: boolean;
  run: RunProgress | null;
  readonly analyze: (cell: Cell) => CellAnalysis;
  readonly effects: Effect[] = [];

  constructor(state: EngineState) {
    this.cells = [...state.cells];
    this.analyses = new Map(state.analyses);
    this.graph = state.graph;
    this.params = { ...state.params };
    this.builtins = state.builtins;
    this.runtime = new Map(state.runtime);
    this.queue = [...state.queue];
    this.running = state.running;
    this.awaitingKernel = state.awaitingKernel;
    this.run = state.run && { errors: [...state.run.errors], skipped: [...state.run.skipped] };
    this.analyze = state.analyze;
  }

  finish(): EngineState {
    return {
      cells: this.cells,
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

  cell(id: string): Cell | undefined {
    return this.cells.find((c) => c.id === id);
  }

  rt(id: string): CellRuntime {
    return this.runtime.get(id) ?? { status: 'idle', current: false };
  }

  /** Copy-on-write update of one cell's runtime (the previous state shares the old object). */
  patch(id: string, changes: Partial<CellRuntime>): void {
    if (!this.runtime.has(id)) return;
    this.runtime.set(id, { ...this.rt(id), ...changes });
  }

  /** Sets the display status, clearing the details of the previous one, and notifies on change. */
  setStatus(id: string, status: RunStatus, details: Partial<CellRuntime> = {}): void {
    const before = this.runtime.get(id);
    if (!before) return;
    const next: CellRuntime = { status, current: before.current, ...details };
    this.runtime.set(id, next);
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
