/**
 * applyOperation: the one entry point of the session core (Livebook's apply_operation). It
 * returns the next state and the effects the session must carry out, in order. A rejected
 * operation (unknown cell, stale kernel feedback) returns the input state, no effects and `error`.
 */
import { staleAfter } from '../../graph/index.js';
import { Draft } from './draft.js';
import { deleteCell, editCell, insertCell, moveCell, setParams } from './edits.js';
import { cellFinished, cellStarted, interrupt, kernelRestarted } from './feedback.js';
import { enqueue } from './queue.js';
import type { EngineState, Operation, OperationResult } from './types.js';

export function applyOperation(state: EngineState, op: Operation): OperationResult {
  const d = new Draft(state);
  const error = dispatch(d, op);
  if (error !== undefined) return { state, effects: [], error };
  return { state: d.finish(), effects: d.effects };
}

function dispatch(d: Draft, op: Operation): string | void {
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
      return enqueue(
        d,
        d.graph.order.filter((id) => d.rt(id).status === 'stale'),
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
