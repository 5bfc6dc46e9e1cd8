/**
 * Compiling cell code into functions over the notebook's names. Shared by JS cells and by the
 * `${…}` expressions of SQL and prose cells.
 */
import { beginSecrets, endSecrets } from './secrets.js';
import { sourceUrlComment } from './errors.js';
import { quireImport } from './imports.js';
import type { Scope } from './scope.js';

type CellFunction = (...args: unknown[]) => Promise<unknown>;
const AsyncFunction = (async () => {}).constructor as new (...params: string[]) => CellFunction;

/** Runs `body` as an async function whose parameters are `inputs` (and `__quire_import`). */
export function runBody(body: string, inputs: string[], scope: Scope, file: string): Promise<unknown> {
  const args = scope.inputs(inputs);
  const fn = new AsyncFunction(...inputs, '__quire_import', body + sourceUrlComment(file));
  return fn(...args, quireImport);
}

/**
 * Evaluates expressions (one per line, so an error's line says which) to an array of values.
 * `secrets` are what `secrets.get` answers meanwhile (the `${…}` of a SQL or prose cell), and only
 * meanwhile, as in a JS cell while it runs.
 */
export async function evaluateAll(
  expressions: string[],
  inputs: string[],
  scope: Scope,
  file: string,
  secrets?: Record<string, string>,
): Promise<unknown[]> {
  if (expressions.length === 0) return [];
  const body = `return [\n${expressions.map((e) => `(${e})`).join(',\n')}\n];`;
  beginSecrets(secrets);
  try {
    const values = (await runBody(body, inputs, scope, file)) as unknown[];
    // Each expression may itself be a promise (`${fetchCount()}`): settle them like `await` would.
    return await Promise.all(values);
  } finally {
    endSecrets();
  }
}
