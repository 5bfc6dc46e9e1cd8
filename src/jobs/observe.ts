/**
 * What a server or worker does when one of its runs becomes final or a schedule fires: count it
 * in the metrics and hand it to the alerts (when the workspace configures them). Shared by
 * `quire serve` and `quire worker` so both report the same way.
 */
import type { Logger } from '../metrics/log.js';
import type { QuireMetrics } from '../metrics/registry.js';
import type { RunRecord } from '../runner/record.js';
import type { RunStore } from '../store/run-store.js';
import type { StoredRun } from '../store/types.js';
import { loadHostAlertConfig } from './alert-config.js';
import { Alerts } from './alerts.js';

export interface RunObservers {
  onFinal(run: StoredRun, record: RunRecord | undefined): void;
  onFired(path: string, slot: number, lagMs: number): void;
  /** waits for alerts still being delivered (graceful stop) */
  drain(): Promise<void>;
  alerts: Alerts | undefined;
}

/** Throws when the workspace's alert configuration is invalid: better at start than silently off. */
export async function runObservers(options: {
  store: RunStore;
  workspace: string;
  metrics: QuireMetrics;
  log: Logger;
  redact?: (text: string) => string;
}): Promise<RunObservers> {
  const { metrics, log } = options;
  const config = await loadHostAlertConfig(options.workspace, options.store.db);
  const alerts = config
    ? new Alerts({
        db: options.store.db,
        config,
        log: ({ level, message, ...fields }) => log[level](message, fields),
        onSend: (kind, outcome) => metrics.alert(kind, outcome),
        ...(options.redact ? { redact: options.redact } : {}),
      })
    : undefined;
  return {
    alerts,
    onFinal(run, record) {
      metrics.runFinished(run.trigger, run.status, (run.durationMs ?? 0) / 1000);
      for (const cell of record?.cells ?? []) {
        if (cell.status !== 'skipped') metrics.cellFinished(cell.language, cell.durationMs / 1000);
        if (cell.error?.kind === 'crash') metrics.kernelCrashed();
      }
      void alerts?.runFinal(run);
    },
    onFired(path, slot, lagMs) {
      metrics.scheduleFired(lagMs / 1000);
      log.info('schedule fired', { notebook: path, slot: new Date(slot).toISOString(), lagMs });
    },
    drain: async () => {
      await alerts?.drain();
    },
  };
}
