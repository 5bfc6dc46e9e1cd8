/** Cells built by hand (the format parser is not a dependency of these tests) and a mini kernel. */
import type { CodeCell, CodeLanguage, ProseCell } from '../../../src/format/types.js';
import type { CompiledJsCell } from '../../../src/analysis/index.js';

export function codeCell(language: CodeLanguage, source: string, name?: string): CodeCell {
  return {
    kind: 'code',
    id: name ?? 'cell-1',
    raw: '',
    line: 1,
    info: language,
    language,
    attributes: { echo: true, run: true, extra: {}, ...(name ? { name } : {}) },
    source,
    sourceLine: 2,
  };
}

/** A prose cell whose `${…}` are found the simple way (no nested braces in these tests). */
export function proseCell(source: string): ProseCell {
  const interpolations = [...source.matchAll(/(?<!\\)\$\{([^}]*)\}/g)].map((m) => ({
    expression: m[1] as string,
    start: m.index,
    end: m.index + m[0].length,
  }));
  return { kind: 'prose', id: 'cell-1', raw: source, line: 1, source, interpolations };
}

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<Record<string, unknown>>;

/** Runs a compiled cell as the kernel would, with `scope` providing inputs and `__quire_import`. */
export async function run(
  compiled: CompiledJsCell,
  scope: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const names = ['__quire_import', ...compiled.inputs];
  const importer = scope.__quire_import ?? ((specifier: string) => import(specifier));
  const fn = new AsyncFunction(...names, compiled.code);
  // Like the kernel, pass what the scope has and let every other name (globals) resolve as usual.
  const value = (name: string): unknown => (name in scope ? scope[name] : Reflect.get(globalThis, name));
  return fn(importer, ...compiled.inputs.map(value));
}

/** The generated line (1-based, in `code`) of the first stack frame inside the compiled function. */
export function generatedLineOf(error: Error): number {
  const match = /<anonymous>:(\d+):\d+/.exec(error.stack ?? '');
  if (!match) throw new Error(`no frame in ${error.stack}`);
  // The AsyncFunction constructor puts `async function anonymous(…\n) {\n` before the body.
  return Number(match[1]) - 2;
}
