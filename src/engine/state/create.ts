/**
 * The initial state of a session: every cell analysed once, the graph built, nothing run, nothing
 * in the kernel. The session defines the params in a new kernel itself (see `defineParams`).
 */
import { Draft } from './draft.js';
import { graphFor } from './invalidate.js';
import type { EngineConfig, EngineState } from './types.js';
import { buildGraph } from '../../graph/index.js';

export function createState(config: EngineConfig): EngineState {
  const empty: EngineState = {
    cells: [...config.cells],
    analyses: new Map(config.cells.map((c) => [c.id, config.analyses?.[c.id] ?? config.analyze(c)])),
    graph: buildGraph([]),
    params: { ...config.params },
    builtins: [...(config.builtins ?? [])],
    runtime: new Map(config.cells.map((c) => [c.id, { status: 'idle' as const, current: false }])),
    queue: [],
    running: null,
    awaitingKernel: false,
    run: null,
    analyze: config.analyze,
  };
  const d = new Draft(empty);
  d.graph = graphFor(d);
  return d.finish();
}
