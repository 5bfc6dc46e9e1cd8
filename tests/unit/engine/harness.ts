/**
 * Test helpers for the engine: cells built by hand, a fake analysis table (the engine takes
 * analysis as input, so these tests do not depend on the analyser), and a script that applies
 * operations and plays a kernel that finishes each executed cell as told.
 */
import assert from 'node:assert/strict';
import type { CellAnalysis } from '../../../src/analysis/types.js';
import type { Cell, CodeCell, ParamValue, ProseCell } from '../../../src/format/types.js';
import { applyToState, createState } from '../../../src/engine/state/index.js';
import type { Effect, EngineState, StateOperation, RunStatus } from '../../../src/engine/state/index.js';

export interface Spec {
  id: string;
  declarations?: string[];
  references?: string[];
  /** prose with `${…}` when true, plain prose when false; code when absent */
  prose?: boolean;
  run?: boolean;
  syntaxError?: string;
}

export function toCell(spec: Spec): Cell {
  if (spec.prose !== undefined) {
    const source = spec.prose ? 'total: ${x}' : 'just text';
    const interpolations = spec.prose ? [{ expression: 'x', start: 7, end: 11 }] : [];
    return { id: spec.id, kind: 'prose', raw: source, line: 1, source, interpolations } satisfies ProseCell;
  }
  return {
    id: spec.id,
    kind: 'code',
    language: 'ts',
    info: 'ts',
    attributes: { echo: true, run: spec.run ?? true, extra: {} },
    raw: '',
    line: 1,
    source: `// ${spec.id}`,
    sourceLine: 2,
  } satisfies CodeCell;
}

export function toAnalysis(spec: Spec): CellAnalysis {
  return {
    declarations: spec.declarations ?? [],
    references: spec.references ?? [],
    ...(spec.syntaxError && { error: { message: spec.syntaxError, line: 2, column: 5 } }),
  };
}

/** What a fake kernel should answer for a cell: ok unless listed. */
export type Outcomes = Record<string, 'ok' | 'error' | 'timeout' | 'crash'>;

export class Script {
  state: EngineState;
  /** every effect so far, in order */
  readonly log: Effect[] = [];
  /** cells executed so far, in order */
  readonly executed: string[] = [];

  constructor(specs: Spec[], params: Record<string, ParamValue> = {}) {
    const table = new Map(specs.map((s) => [s.id, toAnalysis(s)]));
    this.state = createState({
      cells: specs.map(toCell),
      params,
      analyze: (cell) => table.get(cell.id) ?? { declarations: [], references: [] },
    });
  }

  apply(op: StateOperation): Effect[] {
    const result = applyToState(this.state, op);
    assert.equal(result.error, undefined, `${op.type} rejected: ${result.error}`);
    this.state = result.state;
    this.log.push(...result.effects);
    for (const e of result.effects) if (e.type === 'execute') this.executed.push(e.cellId);
    return result.effects;
  }

  /** The cell whose execute is outstanding, checked against the effects log. */
  pending(): string | null {
    return this.state.running;
  }

  private mark = 0;

  /**
   * Plays the kernel until the queue drains or the kernel dies; returns the cells executed since
   * the previous `finishAll` (including the one the run operation itself dispatched).
   */
  finishAll(outcomes: Outcomes = {}): string[] {
    const start = this.mark;
    for (let id = this.pending(); id !== null && !this.state.awaitingKernel; id = this.pending()) {
      this.finish(id, outcomes[id] ?? 'ok');
    }
    this.mark = this.executed.length;
    return this.executed.slice(start);
  }

  finish(id: string, outcome: Outcomes[string] = 'ok'): Effect[] {
    if (outcome === 'ok') return this.apply({ type: 'cellFinished', id, status: 'ok' });
    const failure = outcome === 'error' ? 'exception' : outcome;
    return this.apply({
      type: 'cellFinished',
      id,
      status: 'error',
      failure,
      error: { name: 'Error', message: 'boom' },
    });
  }

  status(id: string): RunStatus | undefined {
    return this.state.runtime.get(id)?.status;
  }

  statuses(): Record<string, RunStatus> {
    return Object.fromEntries([...this.state.runtime].map(([id, rt]) => [id, rt.status]));
  }

  effectsOf<T extends Effect['type']>(type: T): Extract<Effect, { type: T }>[] {
    return this.log.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }
}
