/**
 * Compiling cell code into functions over the notebook's names. Shared by JS cells and by the
 * `${…}` expressions of SQL and prose cells.
 *
 * Cells are compiled with `vm.compileFunction` and a dynamic-import hook, so every `import()` in
 * them — written in the cell, inside an `eval`, inside a `new Function` — resolves against the
 * notebook (imports.ts), never against the runtime's own folder. (Code compiled with the Function
 * constructor would resolve relative specifiers against the module that compiled it: the runtime.)
 */
import vm from 'node:vm';
import { importForCell, quireImport, quireMeta } from './imports.js';
import type { Scope } from './scope.js';

/** The compiled source has one line before the body: cell line N is line N + 1 in a stack trace. */
export const BODY_LINE_OFFSET = 1;

type CellFunction = (...args: unknown[]) => Promise<unknown>;

/** Runs `body` as an async function whose parameters are `inputs` (and the import helpers). */
export function runBody(body: string, inputs: string[], scope: Scope, file: string): Promise<unknown> {
  const args = scope.inputs(inputs);
  const fn = vm.compileFunction(
    `return (async () => {\n${body}\n})();`,
    [...inputs, '__quire_import', '__quire_meta'],
    { filename: file, importModuleDynamically: importForCell as never },
  ) as CellFunction;
  return fn(...args, quireImport, quireMeta());
}

/**
 * Evaluates expressions (one per line, so an error's line says which) to an array of values.
 * `secrets.get` answers them as it answers a JS cell: they run as the cell's own code.
 */
export async function evaluateAll(
  expressions: string[],
  inputs: string[],
  scope: Scope,
  file: string,
): Promise<unknown[]> {
  if (expressions.length === 0) return [];
  const body = `return [\n${expressions.map((e) => `(${e})`).join(',\n')}\n];`;
  const values = (await runBody(body, inputs, scope, file)) as unknown[];
  // Each expression may itself be a promise (`${fetchCount()}`): settle them like `await` would.
  return await Promise.all(values);
}
