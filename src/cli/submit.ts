/**
 * `quire submit FILE [-p name=value]… [--retries N] [--timeout D] [--wait] [--json] [--db URL]`:
 * queues a run of the notebook as it is now (its exact source goes with the run) for the server's
 * pool (embedded store) or the workers (PostgreSQL). Params are checked before anything is queued.
 * `--wait` follows the run to its end and exits like `quire run` (0 ok, 1 failed, 3 timed out).
 */
import type { StoredRun } from '../store/types.js';
import {
  boolean,
  defineCommand,
  duration,
  list,
  loadNotebookFile,
  parseParamFlags,
  text,
  wholeNumber,
  type Values,
} from './command.js';
import { formatDuration } from './format-table.js';
import { notebookKey, openCommandStore } from './store-access.js';

const HELP = `usage: quire submit FILE [-p name=value]… [--retries N] [--timeout DURATION] [--wait] [--json] [--db URL]

  -p, --param name=value   a param value (repeatable), checked against the front matter
  --retries N              attempts after a failed first one (default 0), with backoff
  --timeout DURATION       a limit for the whole run, e.g. 10m
  --wait                   wait for the run to end; exit 0 ok, 1 failed, 3 timed out
  --json                   print the queued (or, with --wait, the final) run as JSON
  --db URL                 the run store (default: QUIRE_DB, else .quire/quire.db in the workspace)

The run is executed by \`quire serve\` (embedded store) or by \`quire worker\` processes (PostgreSQL).`;

const options = {
  param: list('p'),
  retries: wholeNumber(
    {
      min: 0,
      max: 100,
      message: (flag, text) => `${flag}: expected a whole number from 0 to 100, got "${text}"`,
    },
    0,
  ),
  timeout: duration(),
  wait: boolean(),
  json: boolean(),
  db: text(),
};

export const submitCommand = defineCommand({
  name: 'submit',
  help: HELP,
  positionals: { min: 1, max: 1, wrongCount: () => 'expected one notebook file' },
  options,
  run: (values, [file]) => submit(values, file!),
});

async function submit(values: Values<typeof options>, file: string): Promise<number> {
  const { retries, timeout: timeoutMs } = values;
  const loaded = await loadNotebookFile(file);
  const { checkParams } = await import('../runner/load.js');
  const params = checkParams(loaded, parseParamFlags(values.param), 'cli');
  const { source } = loaded;
  const title = loaded.notebook.frontMatter?.title;
  const key = notebookKey(file);
  const store = await openCommandStore(values.db, key.workspace);
  try {
    const { queueFor } = await import('../jobs/start.js');
    const dbUrl = values.db ?? process.env.QUIRE_DB;
    const queue = queueFor(store, { ...(dbUrl ? { dbUrl } : {}), concurrency: 1 });
    const run = await store.create({
      path: key.path,
      source,
      ...(title ? { title } : {}),
      trigger: 'submit',
      params,
      maxAttempts: retries + 1,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    await queue.enqueue(run!.id);
    await queue.stopTaking();
    if (!values.wait) {
      if (values.json) process.stdout.write(JSON.stringify(run, null, 2) + '\n');
      else process.stdout.write(`${run!.id}\n`);
      process.stderr.write(`queued ${run!.id} (${key.path}) in ${store.db.label}\n`);
      return 0;
    }
    process.stderr.write(`queued ${run!.id}; waiting…\n`);
    const final = await waitForFinal(store, run!.id);
    if (values.json) process.stdout.write(JSON.stringify(final, null, 2) + '\n');
    else
      process.stdout.write(
        `${final.id} ${final.status} ${formatDuration(final.durationMs)}${final.error ? `: ${final.error}` : ''}\n`,
      );
    return final.status === 'ok' ? 0 : final.status === 'timeout' ? 3 : 1;
  } finally {
    await store.close();
  }
}

async function waitForFinal(
  store: Awaited<ReturnType<typeof openCommandStore>>,
  id: string,
): Promise<StoredRun> {
  for (;;) {
    const run = await store.get(id);
    if (run && !['queued', 'running'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
}
