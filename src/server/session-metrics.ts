/**
 * A session's part of the server's metrics: each executed cell's duration by language, and kernel
 * crashes that nobody asked for (an interrupt stops the kernel on purpose).
 */
import type { Engine } from '../engine/engine.js';
import { cellOf, type CellStatusNotification } from '../engine/state/index.js';
import type { QuireMetrics } from '../metrics/registry.js';
import { CELL_LANGUAGES, cellLanguage } from '../protocol/languages.js';

export class SessionMetrics {
  /** the cell whose execution a `running` status announced, until its next status ends it */
  private executing: string | undefined;
  /** an interrupt stopped the kernel under that cell: its `crash` was asked for */
  private interrupted = false;

  constructor(private readonly metrics: Pick<QuireMetrics, 'cellFinished' | 'kernelCrashed'> | undefined) {}

  /** An interrupt arrived; while a cell runs, the crash that follows is not counted. */
  interrupting(cellRunning: boolean): void {
    this.interrupted = cellRunning;
  }

  /** A `running` cell's next status ends its execution (a status alone may be a restore). */
  status(engine: Engine, n: CellStatusNotification): void {
    if (n.status === 'running') {
      this.executing = n.cellId;
      return;
    }
    if (n.cellId !== this.executing) return;
    this.executing = undefined;
    const cell = cellOf(engine.state, n.cellId);
    const result = engine.results.get(n.cellId);
    // Prose cells execute too when they interpolate `${…}`.
    const language = CELL_LANGUAGES[cell ? cellLanguage(cell) : 'prose'].exportName;
    if (cell && result) this.metrics?.cellFinished(language, result.durationMs / 1000);
    if (n.failure === 'crash' && !this.interrupted) this.metrics?.kernelCrashed();
    this.interrupted = false;
  }
}
