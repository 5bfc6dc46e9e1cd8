/**
 * `quire run FILE [-p name=value]… [--out DIR] [--json] [--timeout DURATION]` (DESIGN §4).
 * Thin: parses flags, calls the runner, prints progress and writes the run directory.
 */
import { parseDuration } from '../format/duration.js';
import { InputError } from './errors.js';
import { parseCommandArgs, parseParamFlags } from './args.js';
import { createProgressPrinter } from './progress.js';

const HELP = `usage: quire run FILE [-p name=value]… [--out DIR] [--json] [--timeout DURATION] [--db URL]

  -p, --param name=value   a param value (repeatable), checked against the front matter
  --out DIR                write the run directory (manifest.json, report.html)
  --json                   print the run record as JSON on stdout
  --timeout DURATION       a limit for the whole run, e.g. 90s, 10m
  --db URL                 the run store (default: QUIRE_DB, else .quire/quire.db in the workspace)

Every run is recorded in the run store: see \`quire runs\` and \`quire show RUN\`.

exit codes: 0 ok · 1 a cell failed · 2 bad input · 3 a time limit passed`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      param: { type: 'string', short: 'p', multiple: true },
      out: { type: 'string' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1)
    throw new InputError(`expected one notebook file, got ${positionals.length}\n${HELP}`);
  const timeoutMs = values.timeout === undefined ? undefined : parseTimeoutFlag(values.timeout);
  const params = parseParamFlags(values.param);
  if (values.db !== undefined) (await import('./store-access.js')).checkDbFlag(values.db);
  if (values.out !== undefined) await checkOutDir(values.out);
  exitOnSignals();
  // The kernel starts first, from the file text alone: its start overlaps with everything below.
  const heapText = process.env.QUIRE_KERNEL_HEAP_MB?.trim();
  const heapOk =
    heapText === undefined || heapText === '' || (/^\d+$/.test(heapText) && Number(heapText) >= 16);
  const { prestartKernel } = await import('../runner/prestart.js');
  const prestarted = heapOk
    ? prestartKernel(positionals[0]!, heapText ? Number(heapText) : undefined)
    : undefined;
  // The report writer loads while the run waits on its kernel, not after it.
  const writer = values.out === undefined ? undefined : import('../runner/write.js');
  void writer?.then(
    (module) => module.preloadSanitizer(),
    () => undefined,
  );
  const { runNotebook, RunInputError } = await import('../runner/run.js');
  const progress = createProgressPrinter(process.stderr);
  const { cliRecording } = await import('./recording.js');
  const recording = cliRecording(values.db, { trigger: 'cli', warn: progress.warning });
  try {
    const result = await runNotebook({
      path: positionals[0]!,
      params,
      paramSource: 'cli',
      ...(prestarted ? { prestarted } : {}),
      timeoutMs,
      onWarning: progress.warning,
      onStarted: recording.onStarted,
      onCellFinished: progress.cellFinished,
    });
    let reportHtml: string | undefined;
    if (values.out !== undefined) {
      const { writeRunDirectory } = await writer!;
      reportHtml = await writeRunDirectory(values.out, result);
    }
    await recording.finish(result.record, reportHtml);
    if (values.json) process.stdout.write(JSON.stringify(result.record, null, 2) + '\n');
    progress.finished(result.record, values.out);
    return result.exitCode;
  } catch (error) {
    if (error instanceof RunInputError) throw new InputError(error.message);
    throw error;
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

function parseTimeoutFlag(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new InputError(`--timeout: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (ms <= 0) throw new InputError(`--timeout: the limit must be more than zero, got "${text}"`);
  return ms;
}

/**
 * Ctrl-C, `kill` or a closed terminal: exit through `process.exit`, whose hook kills the kernels'
 * process groups (they are detached, so the signal never reaches them, and a busy kernel would
 * otherwise outlive us). Nothing half-written is left: the run directory only appears whole.
 */
function exitOnSignals(): void {
  const codes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [signal, code] of Object.entries(codes)) {
    process.once(signal as NodeJS.Signals, () => {
      process.stderr.write(`quire run: stopped by ${signal}\n`);
      process.exit(code);
    });
  }
}
