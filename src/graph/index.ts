/**
 * The dataflow graph (DESIGN §3, §5): pure, no I/O. Input is analysis per cell in document order;
 * output is definitions, edges, a deterministic order and errors.
 */
export { buildGraph } from './build.js';
export { dependentsOfNames, downstreamClosure, inOrder, staleAfter, upstreamClosure } from './stale.js';
export type { BuildOptions, CycleError, DuplicateError, Graph, GraphError, GraphNode } from './types.js';
