/**
 * Operations that report what the kernel did: a cell started or finished, the kernel was
 * replaced, the user interrupted. Each one lets the queue advance.
 */
import type { ParamValue } from '../../format/types.js';
import type { Draft } from './draft.js';
import { loseAllValues } from './invalidate.js';
import { advance, fail } from './queue.js';
import { RunQueue } from './run-queue.js';
import type { StateOperation } from './types.js';

type Finished = Extract<StateOperation, { type: 'cellFinished' }>;

/** `cellStarted` only confirms the dispatch: the status turned `running` when `execute` left. */
export function cellStarted(d: Draft, id: string): string | undefined {
  return d.running === id ? undefined : `cell ${id} is not running`;
}

export function cellFinished(d: Draft, op: Finished): string | undefined {
  if (d.running !== op.id) return `cell ${op.id} is not running`;
  d.running = null;
  if (!d.cell(op.id)) {
    // Deleted while it ran: nothing to record.
    advance(d);
    return undefined;
  }
  const { invalidatedWhileRunning } = d.rt(op.id);
  d.patch(op.id, { invalidatedWhileRunning: false });
  if (op.status === 'ok') {
    const upstreamCurrent = (d.graph.upstream.get(op.id) ?? []).every((up) => d.rt(up).current);
    const current = upstreamCurrent && !invalidatedWhileRunning;
    d.patch(op.id, { current });
    d.setStatus(op.id, current ? 'ok' : 'stale');
  } else {
    fail(d, op.id, op.error, op.failure ?? 'exception');
  }
  if (op.failure === 'timeout' || op.failure === 'crash') {
    // The host killed or lost the kernel process: values are gone, wait for the new kernel.
    loseAllValues(d);
    d.awaitingKernel = true;
  }
  if (d.queue.has(op.id)) d.setStatus(op.id, 'queued', { beforeQueued: d.rt(op.id).status });
  advance(d);
  return undefined;
}

/**
 * A new kernel: every value is gone. A cell that was running fails as a crash; the params are
 * defined again; the queue goes on, re-running the upstream cells it needs (see queue.advance).
 */
export function kernelRestarted(d: Draft): void {
  const running = d.running;
  if (running !== null) {
    d.running = null;
    fail(
      d,
      running,
      { name: 'KernelRestarted', message: 'the kernel restarted while the cell ran' },
      'crash',
    );
  }
  loseAllValues(d);
  d.awaitingKernel = false;
  if (Object.keys(d.params).length > 0) {
    d.effects.push({ type: 'defineParams', values: { ...d.params } as Record<string, ParamValue> });
  }
  advance(d);
}

/** Clears the queue (cells get back the status they had); a running cell is asked to stop. */
export function interrupt(d: Draft): void {
  for (const id of d.queue) {
    const { status, beforeQueued } = d.rt(id);
    if (status === 'queued') d.setStatus(id, beforeQueued ?? 'idle');
  }
  d.queue = RunQueue.empty();
  if (d.running !== null) d.effects.push({ type: 'interruptKernel' });
  else advance(d);
}
