/**
 * Operations that change the notebook: insert, edit, delete, move cells and set params. Only the
 * touched cell is re-analysed; the graph is rebuilt (cheap: see bench/reanalysis.ts) and what
 * changed, with its dependents, becomes stale. Nothing runs until a run operation asks.
 */
import type { CellAnalysis } from '../../analysis/types.js';
import type { Cell, ParamValue } from '../../format/types.js';
import { dependentsOfNames, staleAfter } from '../../graph/index.js';
import { scanInterpolations } from './cells.js';
import type { Draft } from './draft.js';
import { declarersOf, invalidate, rebuildGraph } from './invalidate.js';
import type { StateOperation } from './types.js';

type Op<T extends StateOperation['type']> = Extract<StateOperation, { type: T }>;

export function insertCell(d: Draft, op: Op<'insertCell'>): string | undefined {
  if (d.cell(op.cell.id)) return `cell ${op.cell.id} already exists`;
  const index = Math.max(0, Math.min(op.index, d.cells.length));
  d.setCells([...d.cells.slice(0, index), op.cell, ...d.cells.slice(index)]);
  d.analyses = d.analyses.set(op.cell.id, op.analysis ?? d.analyze(op.cell));
  d.runtime = d.runtime.set(op.cell.id, { status: 'idle', current: false });
  rebuildGraph(d, [op.cell.id]);
  return undefined;
}

export function editCell(d: Draft, op: Op<'editCell'>): string | undefined {
  const at = d.cellAt(op.id);
  const old = d.cells[at];
  if (!old) return `no cell ${op.id}`;
  const cell = edited(old, op);
  d.replaceCell(at, cell);
  const analysis = op.analysis ?? d.analyze(cell);
  const removed = removedNames(d.analyses.get(op.id), analysis);
  d.analyses = d.analyses.set(op.id, analysis);
  deleteNames(d, removed, op.id);
  rebuildGraph(d, [op.id]);
  return undefined;
}

function edited(old: Cell, op: Op<'editCell'>): Cell {
  if (old.kind === 'code') return { ...old, source: op.source, attributes: op.attributes ?? old.attributes };
  return {
    ...old,
    source: op.source,
    raw: op.source,
    interpolations: op.interpolations ?? scanInterpolations(op.source),
  };
}

function removedNames(before: CellAnalysis | undefined, after: CellAnalysis): string[] {
  const kept = new Set(after.declarations);
  return [...new Set(before?.declarations ?? [])].filter((name) => !kept.has(name));
}

/** Emits `deleteNames`; other cells that declared those names (duplicates) lose their values. */
function deleteNames(d: Draft, names: string[], owner: string): void {
  if (names.length === 0) return;
  d.effects.push({ type: 'deleteNames', names });
  invalidate(d, staleAfter(d.graph, declarersOf(d, names, owner)));
}

export function deleteCell(d: Draft, op: Op<'deleteCell'>): string | undefined {
  if (!d.cell(op.id)) return `no cell ${op.id}`;
  const dependents = staleAfter(d.graph, [op.id]).filter((id) => id !== op.id);
  deleteNames(d, [...new Set(d.analyses.get(op.id)?.declarations ?? [])], op.id);
  d.effects.push({ type: 'forgetCell', cellId: op.id });
  invalidate(d, dependents);
  d.setCells(d.cells.filter((c) => c.id !== op.id));
  d.analyses = d.analyses.delete(op.id);
  d.runtime = d.runtime.delete(op.id);
  d.queue = d.queue.delete(op.id);
  rebuildGraph(d, []);
  return undefined;
}

export function moveCell(d: Draft, op: Op<'moveCell'>): string | undefined {
  const cell = d.cell(op.id);
  if (!cell) return `no cell ${op.id}`;
  const others = d.cells.filter((c) => c.id !== op.id);
  const index = Math.max(0, Math.min(op.index, others.length));
  d.setCells([...others.slice(0, index), cell, ...others.slice(index)]);
  // Edges do not depend on position; only ties in the order (and message order) can change.
  rebuildGraph(d, []);
  return undefined;
}

/** Changed params are defined in the kernel; the cells that read them (and dependents) go stale. */
export function setParams(d: Draft, op: Op<'setParams'>): void {
  const changed: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(op.values)) {
    if (d.params[name] !== value) changed[name] = value;
  }
  const names = Object.keys(changed);
  if (names.length === 0) return;
  const newNames = names.some((name) => !(name in d.params));
  d.params = { ...d.params, ...changed };
  d.effects.push({ type: 'defineParams', values: changed });
  // A new param is a new builtin: cells defining it are now in error.
  if (newNames) rebuildGraph(d, []);
  invalidate(d, dependentsOfNames(d.graph, names));
}
