/**
 * `quire submit FILE [-p name=value]… [--retries N] [--timeout D] [--wait] [--json] [--db URL]`:
 * queues a run of the notebook as it is now (its exact source goes with the run) for the server's
 * pool (embedded store) or the workers (PostgreSQL). Params are checked before anything is queued.
 * `--wait` follows the run to its end and exits like `quire run` (0 ok, 1 failed, 3 timed out).
 */
import { readFile } from 'node:fs/promises';
import { parseDuration } from '../format/duration.js';
import { NotebookParseError, ParamError } from '../format/errors.js';
import { parseNotebook, resolveParams } from '../format/index.js';
import type { StoredRun } from '../store/types.js';
import { parseCommandArgs, parseParamFlags } from './args.js';
import { InputError } from './errors.js';
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

export async function submitCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      param: { type: 'string', short: 'p', multiple: true },
      retries: { type: 'string' },
      timeout: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new InputError(`expected one notebook file\n${HELP}`);
  const file = positionals[0]!;
  const retries = values.retries === undefined ? 0 : Number(values.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 100)
    throw new InputError(`--retries: expected a whole number from 0 to 100, got "${values.retries}"`);
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    try {
      timeoutMs = parseDuration(values.timeout);
    } catch (error) {
      throw new InputError(`--timeout: ${(error as Error).message}`);
    }
  }
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
  let params;
  let title: string | undefined;
  try {
    const { notebook } = parseNotebook(source, { path: file });
    title = notebook.frontMatter?.title;
    params = resolveParams(notebook.frontMatter?.params ?? [], parseParamFlags(values.param), {
      source: 'cli',
    });
  } catch (error) {
    if (error instanceof NotebookParseError) throw new InputError(error.message);
    if (error instanceof ParamError) throw new InputError(`${file}: ${error.message}`);
    throw error;
  }
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
