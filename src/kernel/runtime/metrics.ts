/**
 * The `metric(name, value)` global: a named number recorded on the run (a sweep compares runs by
 * them). Bad names and values throw here, in the cell, where the author sees the line; the host
 * validates again (it trusts nothing the kernel sends) and keeps the latest value per name.
 *
 * Calls are coalesced per cell and tick, like stream output: a training loop that records a loss
 * at every step sends one message per name, not one per call. The batch is flushed on the next
 * tick and before the cell reports that it finished.
 */
import { owningCell, type CellRun } from './context.js';
import { runtimeSetImmediate } from './primordials.js';
import { send } from './channel.js';
import { METRIC_NAME } from './metric-name.js';

let pending: { cell: CellRun; values: Map<string, number> } | undefined;
let flushScheduled = false;

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `a string ${JSON.stringify(value.slice(0, 40))}`;
  return value === null ? 'null' : `a ${typeof value}`;
}

/** Records `value` under `name` for the run (a later call with the same name replaces it); returns `value`. */
export function metric(name: unknown, value: unknown): number {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 120)) : describe(name);
    throw new TypeError(
      `metric(name, value): the name must be 1-100 characters of A-Z a-z 0-9 _ . : -, got ${shown}`,
    );
  }
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TypeError(`metric "${name}": expected a finite number, got ${describe(value)}`);
  const cell = owningCell();
  // A call from code whose run is over (a timer after its cell finished) has no run to belong to,
  // like its outputs: dropped.
  if (!cell) return value;
  if (pending && pending.cell !== cell) flushMetrics();
  pending ??= { cell, values: new Map() };
  pending.values.set(name, value);
  if (!flushScheduled) {
    flushScheduled = true;
    runtimeSetImmediate(flushMetrics);
  }
  return value;
}

/** Sends the metrics recorded since the last flush (called before a cell's `cellFinished`). */
export function flushMetrics(): void {
  flushScheduled = false;
  const batch = pending;
  pending = undefined;
  if (!batch) return;
  for (const [name, value] of batch.values)
    send({ type: 'cellMetric', execution: batch.cell.execution, cellId: batch.cell.cellId, name, value });
}
