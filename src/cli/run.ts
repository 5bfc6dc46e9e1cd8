/**
 * `quire run FILE [-p name=value]… [--out DIR] [--json] [--timeout DURATION]` (DESIGN §4).
 * Thin: declares its flags, loads the notebook, hands it to the runner with this process's
 * kernels and secrets, and records it: progress lines, the run store, the run directory.
 */
import {
  boolean,
  defineCommand,
  duration,
  exitOnSignals,
  list,
  loadNotebookFile,
  parseParamFlags,
  runEdge,
  text,
} from './command.js';
import { heapMbFromEnv } from '../runner/limits.js';
import { InputError } from './errors.js';
import { createProgressPrinter } from './progress.js';

const HELP = `usage: quire run FILE [-p name=value]… [--out DIR] [--json] [--timeout DURATION] [--db URL]

  -p, --param name=value   a param value (repeatable), checked against the front matter
  --out DIR                write the run directory (manifest.json, report.html)
  --json                   print the run record as JSON on stdout
  --timeout DURATION       a limit for the whole run, e.g. 90s, 10m
  --db URL                 the run store (default: QUIRE_DB, else .quire/quire.db in the workspace)

Every run is recorded in the run store: see \`quire runs\` and \`quire show RUN\`.

exit codes: 0 ok · 1 a cell failed · 2 bad input · 3 a time limit passed`;

export const runCommand = defineCommand({
  name: 'run',
  help: HELP,
  positionals: { min: 1, max: 1, wrongCount: (n) => `expected one notebook file, got ${n}` },
  options: {
    timeout: duration(),
    param: list('p'),
    out: text(),
    json: boolean(),
    db: text(),
  },
  async run(values, [file]) {
    const params = parseParamFlags(values.param);
    if (values.db !== undefined) (await import('./store-access.js')).checkDbFlag(values.db);
    if (values.out !== undefined) await checkOutDir(values.out);
    exitOnSignals('run');
    // The kernel starts first, from the file text alone: its start overlaps with everything below.
    // A bad QUIRE_KERNEL_HEAP_MB starts none: the runner says what is wrong with it.
    const heap = heapLimit();
    const [{ prestartKernel }, edge] = await Promise.all([
      import('../runner/prestart.js'),
      runEdge({ db: values.db, notebook: file! }),
    ]);
    const prestarted = heap ? prestartKernel(file!, heap.mb, edge.kernels) : undefined;
    // The report writer loads while the run waits on its kernel, not after it.
    const writer = values.out === undefined ? undefined : import('../runner/write.js');
    void writer?.then(
      (module) => module.preloadSanitizer(),
      () => undefined,
    );
    const [{ runNotebook }, { cliRecording }] = await Promise.all([
      import('../runner/run.js'),
      import('./recording.js'),
    ]);
    let notebook;
    try {
      notebook = await loadNotebookFile(file!);
    } catch (error) {
      await prestarted?.kernel.shutdown();
      throw error;
    }
    const progress = createProgressPrinter(process.stderr);
    const recording = cliRecording(values.db, { trigger: 'cli', warn: progress.warning });
    // Each secret a cell is given is a `secret.read` in the store's audit log.
    const [{ cliSecretTrail }, { notebookWorkspace }] = await Promise.all([
      import('./audit-trail.js'),
      import('../runner/workspace.js'),
    ]);
    const trail = cliSecretTrail(values.db, notebookWorkspace(file!), edge.secrets);
    const result = await runNotebook({
      notebook,
      params,
      paramSource: 'cli',
      ...(prestarted ? { prestarted } : {}),
      limits: values.timeout === undefined ? {} : { timeoutMs: values.timeout },
      ...edge,
      secrets: trail.secrets,
      recorder: {
        warning: progress.warning,
        started: recording.started,
        cellFinished: progress.cellFinished,
        async finished(result) {
          let reportHtml: string | undefined;
          if (values.out !== undefined) {
            const { writeRunDirectory } = await writer!;
            reportHtml = await writeRunDirectory(values.out, result);
          }
          // The reads' store is closed first: two SQLite connections of one process must not write at once.
          await trail.close();
          await recording.finish(result.record, reportHtml);
        },
      },
    }).finally(() => trail.close());
    if (values.json) process.stdout.write(JSON.stringify(result.record, null, 2) + '\n');
    progress.finished(result.record, values.out);
    return result.exitCode;
  },
});

function heapLimit(): { mb: number | undefined } | undefined {
  try {
    return { mb: heapMbFromEnv() };
  } catch {
    return undefined;
  }
}

/** `--out DIR` must be a folder we can create (or replace) before the run spends its time. */
async function checkOutDir(out: string): Promise<void> {
  const { dirname, resolve } = await import('node:path');
  const { access, constants } = await import('node:fs/promises');
  const { makeDirs } = await import('../shared/make-dirs.js');
  const parent = dirname(resolve(out));
  try {
    await makeDirs(parent);
    await access(parent, constants.W_OK);
  } catch (error) {
    throw new InputError(
      `--out ${out}: cannot write there (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}
