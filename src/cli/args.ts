/**
 * Shared argument parsing for the commands: `-p name=value` pairs and durations, with errors
 * that say which flag was wrong.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from './errors.js';

/** `node:util` parseArgs with its errors turned into InputError (exit code 2). */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T) {
  try {
    return parseArgs({ ...config, strict: true });
  } catch (error) {
    throw new InputError(error instanceof Error ? error.message : String(error));
  }
}

/** `["region=EU", "n=5"]` -> `{region: "EU", n: "5"}`; the value may contain `=`. */
export function parseParamFlags(flags: string[] | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new InputError(`-p expects name=value, got "${flag}"`);
    const name = flag.slice(0, eq).trim();
    if (name in params) throw new InputError(`param "${name}" is given twice`);
    params[name] = flag.slice(eq + 1);
  }
  return params;
}
