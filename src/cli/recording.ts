/**
 * How a command that runs notebooks itself (`quire run`, `quire rerun`, `quire sweep`) records
 * each run in the run store: the row appears `running` once the input is good, and gets its record
 * at the end. A store that cannot be opened or written never changes the run's exit code: it is
 * reported on stderr.
 */
import { hostname } from 'node:os';
import type { RunRecord } from '../runner/record.js';
import type { RunStarted } from '../runner/run.js';
import type { RunStore } from '../store/run-store.js';
import type { Trigger } from '../store/types.js';

export interface CliRecording {
  /** the run's input is good (a RunRecorder's `started`): the row appears `running` */
  started(started: RunStarted): void;
  /** resolves to the stored run's id, or undefined (after a warning) when it could not be stored */
  finish(record: RunRecord, reportHtml?: string): Promise<string | undefined>;
}

export interface CliRecordingOptions {
  trigger: Trigger;
  rerunOf?: string;
  /** the sweep the run belongs to */
  sweepId?: string;
  /**
   * An open store shared by the runs of one command (a sweep): neither opened nor closed here.
   * Without it each run opens the store and closes it when done. Runs at once in one process must
   * share it: two SQLite connections of one process would wait on each other's write lock.
   */
  store?: RunStore;
  warn: (message: string) => void;
}

async function openRunStore(dbUrl: string | undefined, workspace: string): Promise<RunStore> {
  const { openStore } = await import('../store/open.js');
  return openStore({ ...(dbUrl ? { url: dbUrl } : {}), workspace });
}

export function cliRecording(dbUrl: string | undefined, options: CliRecordingOptions): CliRecording {
  const owned = options.store === undefined;
  let opening: Promise<RunStore> | undefined;
  return {
    started(run) {
      opening = (async () => {
        const [store, { startRecorded }, { workerName }] = await Promise.all([
          options.store ?? openRunStore(dbUrl, run.workspace),
          import('../runner/recorder.js'),
          import('../store/run-store.js'),
        ]);
        try {
          await startRecorded(store, run, {
            trigger: options.trigger,
            worker: workerName('cli', hostname()),
            ...(options.rerunOf ? { rerunOf: options.rerunOf } : {}),
            ...(options.sweepId ? { sweepId: options.sweepId } : {}),
          });
        } catch (error) {
          if (owned) await store.close();
          throw error;
        }
        return store;
      })();
      // the run goes on meanwhile; a failure is reported by finish()
      opening.catch(() => undefined);
    },
    async finish(record, reportHtml) {
      if (!opening) return undefined;
      let store: RunStore | undefined;
      try {
        store = await opening;
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
        if (owned) await store?.close().catch(() => undefined);
      }
    },
  };
}
