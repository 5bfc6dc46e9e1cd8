/**
 * How a command that runs a notebook itself (`quire run`, `quire rerun`) records it in the run
 * store: the row appears `running` once the input is good, and gets its record at the end. A store
 * that cannot be opened or written never changes the run's exit code: it is reported on stderr.
 */
import { hostname } from 'node:os';
import type { RunRecord } from '../runner/record.js';
import type { RunStarted } from '../runner/run.js';
import type { RunStore } from '../store/run-store.js';
import type { Trigger } from '../store/types.js';

export interface CliRecording {
  onStarted(started: RunStarted): void;
  /** resolves to the stored run's id, or undefined (after a warning) when it could not be stored */
  finish(record: RunRecord, reportHtml?: string): Promise<string | undefined>;
}

export function cliRecording(
  dbUrl: string | undefined,
  options: { trigger: Trigger; rerunOf?: string; warn: (message: string) => void },
): CliRecording {
  let started: Promise<RunStore> | undefined;
  return {
    onStarted(run) {
      started = (async () => {
        const [{ openStore }, { startRecorded }, { workerName }] = await Promise.all([
          import('../store/open.js'),
          import('../runner/recorder.js'),
          import('../store/run-store.js'),
        ]);
        const store = await openStore({ ...(dbUrl ? { url: dbUrl } : {}), workspace: run.workspace });
        try {
          await startRecorded(store, run, {
            trigger: options.trigger,
            worker: workerName('cli', hostname()),
            ...(options.rerunOf ? { rerunOf: options.rerunOf } : {}),
          });
        } catch (error) {
          await store.close();
          throw error;
        }
        return store;
      })();
      // the run goes on meanwhile; a failure is reported by finish()
      started.catch(() => undefined);
    },
    async finish(record, reportHtml) {
      if (!started) return undefined;
      let store: RunStore | undefined;
      try {
        store = await started;
        const { finishRecorded } = await import('../runner/recorder.js');
        const stored = await finishRecorded(
          store,
          record.id,
          1,
          record,
          reportHtml !== undefined ? { reportHtml } : {},
        );
        if (!stored)
          options.warn(`run ${record.id} was finished by another process; this record was not stored`);
        return stored ? record.id : undefined;
      } catch (error) {
        options.warn(`the run was not recorded in the run store: ${(error as Error).message}`);
        return undefined;
      } finally {
        await store?.close().catch(() => undefined);
      }
    },
  };
}
