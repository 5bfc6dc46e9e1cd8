/**
 * The initial state of a session: every cell analysed once, the graph built, nothing run, nothing
 * in the kernel. The session defines the params in a new kernel itself (see `defineParams`).
 */
import { Draft, indexOf } from './draft.js';
import { graphFor } from './invalidate.js';
import { PersistentMap } from './persistent-map.js';
import { RunQueue } from './run-queue.js';
import type { CellRuntime, EngineConfig, EngineState } from './types.js';
import { buildGraph } from '../../graph/index.js';

export function createState(config: EngineConfig): EngineState {
  const cells = [...config.cells];
  const idle: CellRuntime = { status: 'idle', current: false };
  const empty: EngineState = {
    cells,
    cellIndex: indexOf(cells),
    analyses: PersistentMap.from(cells.map((c) => [c.id, config.analyses?.[c.id] ?? config.analyze(c)])),
    graph: buildGraph([]),
    params: { ...config.params },
    builtins: [...(config.builtins ?? [])],
    runtime: PersistentMap.from(cells.map((c) => [c.id, idle])),
    queue: RunQueue.empty(),
    running: null,
    awaitingKernel: false,
    run: null,
    analyze: config.analyze,
  };
  const d = new Draft(empty);
  d.graph = graphFor(d);
  return d.finish();
}
