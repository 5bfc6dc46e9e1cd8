/**
 * applyToState: the one entry point of the reactive core (Livebook's apply_operation, below the
 * document). It returns the next state and the effects the engine must carry out, in order. A
 * rejected operation (unknown cell, stale kernel feedback) returns the input state, no effects
 * and `error`. Callers outside the engine go through the document's `applyOperation`.
 */
import type { Cell } from '../../format/types.js';
import { staleAfter } from '../../graph/index.js';
import { Draft } from './draft.js';
import { deleteCell, editCell, insertCell, moveCell, setParams } from './edits.js';
import { cellFinished, cellStarted, interrupt, kernelRestarted } from './feedback.js';
import { enqueue } from './queue.js';
import type { EngineState, StateOperation, StateResult } from './types.js';

export function applyToState(state: EngineState, op: StateOperation): StateResult {
  const d = new Draft(state);
  const error = dispatch(d, op);
  if (error !== undefined) return { state, effects: [], error };
  return { state: d.finish(), effects: d.effects };
}

function dispatch(d: Draft, op: StateOperation): string | void {
  switch (op.type) {
    case 'insertCell':
      return insertCell(d, op);
    case 'editCell':
      return editCell(d, op);
    case 'deleteCell':
      return deleteCell(d, op);
    case 'moveCell':
      return moveCell(d, op);
    case 'setParams':
      return setParams(d, op);
    case 'runCell':
      return runCell(d, op.id);
    case 'runAll':
      return enqueue(d, d.graph.order);
    case 'runStale':
      // A running cell that an edit or a param change has made stale counts: it runs again once
      // it ends (the editor asks right after the change, often while that cell still runs).
      return enqueue(
        d,
        d.graph.order.filter((id) => {
          const { status, invalidatedWhileRunning } = d.rt(id);
          return status === 'stale' || (status === 'running' && invalidatedWhileRunning === true);
        }),
      );
    case 'cellStarted':
      return cellStarted(d, op.id);
    case 'cellFinished':
      return cellFinished(d, op);
    case 'kernelRestarted':
      return kernelRestarted(d);
    case 'interrupt':
      return interrupt(d);
  }
}

/** The cell and all its transitive dependents (plus, at run time, the inputs they lack). */
function runCell(d: Draft, id: string): string | undefined {
  if (!d.cell(id)) return `no cell ${id}`;
  enqueue(d, staleAfter(d.graph, [id]));
  return undefined;
}

/**
 * The state with `cells` in place of its cells: the same ids in the same order, newer objects (the
 * document's parse after an edit, whose lines and raw text moved). Nothing else changes.
 */
export function withCells(state: EngineState, cells: readonly Cell[]): EngineState {
  const same = cells.length === state.cells.length && cells.every((c, i) => c.id === state.cells[i]?.id);
  if (!same) throw new Error('withCells: the cells must keep their ids and order');
  return { ...state, cells };
}
