/**
 * The kit every command is written with (`defineCommand`): a command declares its name, help
 * text, options (each with a type that turns the flag's text into a value) and how many
 * positionals it takes; the kit parses the command line (`node:util` parseArgs, strict), answers
 * `--help`, checks the positionals, converts every option and turns bad input into exit code 2.
 * It also holds what several commands share: the notebook loader, time limits, `-p name=value`
 * pairs, whole numbers, and exiting on a signal with its conventional code.
 *
 * Must not: print anything but help; what a command says is the command's.
 */
import { parseArgs } from 'node:util';
import type { KernelFactory } from '../kernel/types.js';
import type { LoadedNotebook } from '../runner/load.js';
import type { SecretSource } from '../secrets/source.js';
import { RunInputError } from '../runner/errors.js';
import { parseTimeLimit } from '../runner/limits.js';
import { EXIT, InputError, SIGNAL_EXIT } from './errors.js';

/** One option: how parseArgs reads it, and how its text becomes the value the command gets. */
export interface Option<T> {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** the flag's text (undefined when absent; `--x` twice with `multiple`: every text) → the value */
  convert: (raw: string | boolean | string[] | undefined, flag: string) => T;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each option's own type is inferred, not constrained
type Options = Record<string, Option<any>>;

/** The values a command gets: each option converted. */
export type Values<O extends Options> = { [K in keyof O]: O[K] extends Option<infer T> ? T : never };

export interface CommandSpec<O extends Options> {
  name: string;
  /** printed by `--help` and after a wrong count of positionals */
  help: string;
  options: O;
  /**
   * the positionals accepted, and the message (without the help) when their count is wrong;
   * absent: none accepted (parseArgs says so)
   */
  positionals?: { min: number; max: number; wrongCount: (count: number) => string };
  run(values: Values<O>, positionals: string[]): Promise<number>;
}

export interface Command {
  name: string;
  /** runs the command; its exit code (bad input throws InputError, which main turns into 2) */
  run(argv: string[]): Promise<number>;
}

export function defineCommand<O extends Options>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    async run(argv) {
      const parsed = parseCommandLine(argv, spec);
      if (parsed === 'help') {
        process.stdout.write(spec.help + '\n');
        return EXIT.ok;
      }
      const values = {} as Record<string, unknown>;
      for (const [name, option] of Object.entries(spec.options))
        values[name] = option.convert(parsed.values[name], `--${name}`);
      try {
        return await spec.run(values as Values<O>, parsed.positionals);
      } catch (error) {
        // The runner's bad input (a missing file, a bad param) is the command's bad input.
        if (error instanceof RunInputError) throw new InputError(error.message);
        throw error;
      }
    },
  };
}

function parseCommandLine<O extends Options>(argv: string[], spec: CommandSpec<O>) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, { type, short, multiple }] of Object.entries(spec.options))
    options[name] = { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) };
  options.help = { type: 'boolean', short: 'h' };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options,
      allowPositionals: spec.positionals !== undefined,
      strict: true,
    });
  } catch (error) {
    throw new InputError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help) return 'help' as const;
  const count = parsed.positionals.length;
  if (spec.positionals && (count < spec.positionals.min || count > spec.positionals.max))
    throw new InputError(`${spec.positionals.wrongCount(count)}\n${spec.help}`);
  return {
    values: parsed.values as Record<string, string | boolean | string[] | undefined>,
    positionals: parsed.positionals,
  };
}

// ---- option types ------------------------------------------------------------------------------

/** `--flag`: true when given. */
export const boolean = (short?: string): Option<boolean> => ({
  type: 'boolean',
  ...(short ? { short } : {}),
  convert: (raw) => raw === true,
});

/** `--flag TEXT`, or undefined. */
export const text = (short?: string): Option<string | undefined> => ({
  type: 'string',
  ...(short ? { short } : {}),
  convert: (raw) => (typeof raw === 'string' ? raw : undefined),
});

/** `-x A -x B`: every text, in order (none: empty). */
export const list = (short?: string): Option<string[]> => ({
  type: 'string',
  multiple: true,
  ...(short ? { short } : {}),
  convert: (raw) => (Array.isArray(raw) ? raw : []),
});

/**
 * `--flag TEXT` converted by `parse` (which throws InputError with its own message), or
 * `fallback` when absent.
 */
export function parsed<T, F = undefined>(
  parse: (text: string, flag: string) => T,
  fallback?: F,
): Option<T | F> {
  return {
    type: 'string',
    convert: (raw, flag) => (typeof raw === 'string' ? parse(raw, flag) : (fallback as F)),
  };
}

/** The one parser of time limits on the command line (`90s`, `10m`): more than zero. */
export function timeLimit(text: string, flag: string): number {
  try {
    return parseTimeLimit(text);
  } catch (error) {
    throw new InputError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `--flag DURATION` (a time limit), or `fallback`. */
export const duration = <F extends number | undefined = undefined>(fallback?: F) =>
  parsed<number, F>(timeLimit, fallback as F);

/**
 * `--flag N`: a whole number from `min` to `max` (absent: no upper bound), or `fallback`; anything
 * else is bad input with the flag's own `message`.
 */
export const wholeNumber = <F extends number | undefined = undefined>(
  range: { min: number; max?: number; message: (flag: string, text: string) => string },
  fallback?: F,
) =>
  parsed<number, F>((text, flag) => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < range.min || (range.max !== undefined && n > range.max))
      throw new InputError(range.message(flag, text));
    return n;
  }, fallback as F);

/** `["region=EU", "n=5"]` -> `{region: "EU", n: "5"}`; the value may contain `=`. */
export function parseParamFlags(flags: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new InputError(`-p expects name=value, got "${flag}"`);
    const name = flag.slice(0, eq).trim();
    if (name in params) throw new InputError(`param "${name}" is given twice`);
    params[name] = flag.slice(eq + 1);
  }
  return params;
}

// ---- what commands share -----------------------------------------------------------------------

/**
 * The notebook loader (runner/load.ts), loaded when a command first needs it; with `source`, that
 * text stands for the file (a rerun of a stored run).
 */
export async function loadNotebookFile(path: string, source?: string): Promise<LoadedNotebook> {
  const { loadNotebook } = await import('../runner/load.js');
  return loadNotebook(path, source);
}

/**
 * What the CLI, as an edge, gives the runs it starts: child-process kernels, and secrets from this
 * process's environment (`QUIRE_SECRET_<NAME>`) first, then from the encrypted secret store of
 * `--db` (or QUIRE_DB, or `workspace`'s own), read only when a run names a secret the environment
 * lacks. Loaded when a command first runs a notebook.
 */
export async function runEdge(
  store: { db: string | undefined } & ({ workspace: string } | { notebook: string }),
): Promise<{ kernels: KernelFactory; secrets: SecretSource }> {
  const [{ spawnKernel }, { commandSecretSource }, { notebookWorkspace }] = await Promise.all([
    import('../kernel/factory.js'),
    import('../secrets/store-source.js'),
    import('../runner/workspace.js'),
  ]);
  const workspace = 'workspace' in store ? store.workspace : notebookWorkspace(store.notebook);
  return { kernels: spawnKernel, secrets: commandSecretSource(store.db, workspace) };
}

/**
 * Ctrl-C, `kill` or a closed terminal: say so, let `onStop` tidy up (for at most 2 s), then exit
 * through `process.exit` with the signal's code (SIGNAL_EXIT), whose hook kills the kernels'
 * process groups (they are detached, so the signal never reaches them). A second signal exits at once.
 */
export function exitOnSignals(command: string, onStop?: (signal: NodeJS.Signals) => Promise<unknown>): void {
  let stopping = false;
  for (const [name, code] of Object.entries(SIGNAL_EXIT)) {
    const signal = name as NodeJS.Signals;
    process.on(signal, () => {
      if (stopping) process.exit(code);
      stopping = true;
      process.stderr.write(`quire ${command}: stopped by ${signal}\n`);
      if (!onStop) process.exit(code);
      const deadline = new Promise((resolve) => setTimeout(resolve, 2000).unref());
      void Promise.race([onStop(signal).catch(() => undefined), deadline]).then(() => process.exit(code));
    });
  }
}
