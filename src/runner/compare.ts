/**
 * What `quire rerun` reports (pure): whether a re-execution of a run's exact source and params
 * produced the same outputs, cell by cell, and what changed in the runtime between the two.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CellRecord, RunRecord } from './record.js';

export interface CellDifference {
  id: string;
  name?: string;
  /** what differs, in words: status, outputs count, or the first differing output's MIME type */
  what: string;
}

export interface RuntimeDrift {
  field: string;
  before: string | null;
  after: string | null;
}

export interface Comparison {
  sameSource: boolean;
  sameParams: boolean;
  outputsMatch: boolean;
  /** cells compared (those in either record) */
  cells: number;
  differences: CellDifference[];
  drift: RuntimeDrift[];
}

function cellDifference(before: CellRecord | undefined, after: CellRecord | undefined): string | undefined {
  if (!before) return 'only in the rerun';
  if (!after) return 'only in the original run';
  if (before.status !== after.status) return `status ${before.status} → ${after.status}`;
  if (before.outputs.length !== after.outputs.length)
    return `${before.outputs.length} → ${after.outputs.length} outputs`;
  for (const [i, output] of before.outputs.entries()) {
    const other = after.outputs[i]!;
    if (output.mime !== other.mime) return `output ${i + 1}: ${output.mime} → ${other.mime}`;
    if (!isDeepStrictEqual(output.data, other.data)) return `output ${i + 1} (${output.mime}) differs`;
  }
  if ((before.error?.message ?? '') !== (after.error?.message ?? '')) return 'error message differs';
  return undefined;
}

export function compareRuns(original: RunRecord, rerun: RunRecord): Comparison {
  const ids = [...new Set([...original.cells.map((c) => c.id), ...rerun.cells.map((c) => c.id)])];
  const before = new Map(original.cells.map((c) => [c.id, c]));
  const after = new Map(rerun.cells.map((c) => [c.id, c]));
  const differences: CellDifference[] = [];
  for (const id of ids) {
    const what = cellDifference(before.get(id), after.get(id));
    const name = before.get(id)?.name ?? after.get(id)?.name;
    if (what) differences.push({ id, ...(name ? { name } : {}), what });
  }
  const a = original.runtime;
  const b = rerun.runtime;
  const fields: [string, string | null, string | null][] = [
    ['node', a.node, b.node],
    ['quire', a.quire, b.quire],
    ['duckdb', a.duckdb, b.duckdb],
    ['platform', a.platform, b.platform],
    ['lockfile', a.lockfile?.sha256 ?? null, b.lockfile?.sha256 ?? null],
  ];
  return {
    sameSource: original.notebook.sha256 === rerun.notebook.sha256,
    sameParams: isDeepStrictEqual(original.params, rerun.params),
    outputsMatch: differences.length === 0,
    cells: ids.length,
    differences,
    drift: fields.filter(([, x, y]) => x !== y).map(([field, before, after]) => ({ field, before, after })),
  };
}
