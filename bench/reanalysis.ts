/**
 * Re-analysis latency: a 300-cell notebook, one cell edited 200 times. Each edit is the whole
 * pure path the editor pays per keystroke batch: analyse the edited cell (the real analyzeCell),
 * rebuild the graph, work out what is stale (applyToState). Prints the median against the
 * 10 ms target. Run: node --import tsx bench/reanalysis.ts
 */
import { analyzeCell } from '../src/analysis/index.js';
import { applyToState, createState } from '../src/engine/state/index.js';
import type { CodeCell } from '../src/format/types.js';
import { buildGraph } from '../src/graph/index.js';

const CELLS = 300;
const EDITS = 200;
const TARGET_MS = 10;

function codeCell(k: number): CodeCell {
  const input = k === 0 ? '1' : `v${k - 1}`;
  const source = [
    `const v${k} = ${input} + 1;`,
    `function f${k}(a) { return a.map((x) => x * v${k}); }`,
    `const rows${k} = f${k}([1, 2, 3]).filter((x) => x > Math.random());`,
    `rows${k}.length;`,
  ].join('\n');
  return {
    id: `c${k}`,
    kind: 'code',
    language: 'ts',
    info: 'ts',
    attributes: { echo: true, run: true, extra: {} },
    raw: source,
    line: 1 + k * 6,
    source,
    sourceLine: 2 + k * 6,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

let state = createState({
  cells: Array.from({ length: CELLS }, (_, k) => codeCell(k)),
  analyze: analyzeCell,
});
const edited = codeCell(CELLS / 2);
const timings: number[] = [];
for (let i = 0; i < EDITS; i++) {
  // Alternate declarations so that every other edit also deletes a name and rewires the graph.
  const source = i % 2 === 0 ? `${edited.source}\nconst extra = ${i};` : `${edited.source} // ${i}`;
  const start = performance.now();
  const result = applyToState(state, { type: 'editCell', id: edited.id, source });
  timings.push(performance.now() - start);
  state = result.state;
}

// The graph alone, from the same analyses: how much of an edit is the rebuild.
const nodes = state.cells.map((c) => ({ id: c.id, ...state.analyses.get(c.id)! }));
const graphTimings = Array.from({ length: EDITS }, () => {
  const start = performance.now();
  buildGraph(nodes);
  return performance.now() - start;
});

// The analysis alone, of the same edited cell: the rest of an edit is the engine's share.
const analysisTimings = Array.from({ length: EDITS }, (_, i) => {
  const start = performance.now();
  analyzeCell({ ...edited, source: `${edited.source} // ${i}` });
  return performance.now() - start;
});

const med = median(timings);
console.log(`cells: ${CELLS}, edits: ${EDITS}`);
console.log(`median per edit (analysis + graph + applyToState): ${med.toFixed(3)} ms`);
console.log(`p95 per edit: ${percentile(timings, 0.95).toFixed(3)} ms`);
console.log(`median analyzeCell alone: ${median(analysisTimings).toFixed(3)} ms`);
console.log(`median graph rebuild alone: ${median(graphTimings).toFixed(3)} ms`);
console.log(`ratio to the ${TARGET_MS} ms target: ${(med / TARGET_MS).toFixed(3)} (below 1 meets it)`);
