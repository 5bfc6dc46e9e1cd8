/**
 * Lowers a JS/TS cell to the body of the kernel's async function (see ExecuteJs in
 * kernel/protocol.ts): imports become awaited `__quire_import` calls, `export` keywords go, the
 * last expression statement's value is kept in `__quire_last`, and a final `return {…}` hands
 * the declarations back. Top-level `await` needs nothing: the body is an async function.
 *
 * Every edit keeps line breaks where they were, and the header shares the first line, so line N
 * of the generated code is line N of the (transpiled) JS and the line map stays a plain lookup.
 */
import type { MetaProperty, Program } from 'acorn';
import { simple } from 'acorn-walk';
import type { CodeCell } from '../format/types.js';
import type { CompiledJsCell } from './types.js';
import { parseJsCell, type ParsedJsCell } from './js-cell.js';
import { lowerImport } from './lower-imports.js';
import { CELL_LANGUAGES, type CodeLanguage } from '../protocol/languages.js';

export const LAST_VALUE = '__quire_last';
/** What `import.meta` becomes: the kernel's object naming the notebook (kernel/runtime/imports.ts). */
export const IMPORT_META = '__quire_meta';

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Compiles a JS/TS cell; throws a CellSourceError (cell-relative position) on invalid source, the
 * same error analyzeCell reports, so a cell that analysed cleanly always compiles.
 */
export function compileJsCell(cell: Pick<CodeCell, 'source' | 'language'>): CompiledJsCell {
  if (CELL_LANGUAGES[cell.language].compiler !== 'js')
    throw new TypeError(`compileJsCell: a ${cell.language} cell goes through its own compiler`);
  const key = `${cell.language}\n${cell.source}`;
  const hit = cache.get(key);
  if (hit) {
    // Re-inserting keeps the map in least-recently-used order for eviction.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  return compileParsed(cell.language, cell.source, parseJsCell(cell.source, cell.language));
}

/**
 * Compiled forms by language and source, filled when a cell is analysed (analyzeCell parses it
 * anyway): running the cell then costs no second parse. Bounded by characters, like the
 * transpile cache, so that it holds every cell of a large notebook. Entries are shared: callers
 * must not mutate them.
 */
const CACHE_CHARS = 16_000_000;
const cache = new Map<string, CompiledJsCell>();
let cachedChars = 0;

/** The compiled form of an already parsed cell, remembered for `compileJsCell`. */
export function compileParsed(language: CodeLanguage, source: string, parsed: ParsedJsCell): CompiledJsCell {
  const compiled = compile(parsed);
  const key = `${language}\n${source}`;
  if (!cache.has(key)) {
    cache.set(key, compiled);
    cachedChars += key.length + compiled.code.length;
    while (cachedChars > CACHE_CHARS && cache.size > 1) {
      const [oldKey, old] = cache.entries().next().value as [string, CompiledJsCell];
      cache.delete(oldKey);
      cachedChars -= oldKey.length + old.code.length;
    }
  }
  return compiled;
}

function compile(parsed: ParsedJsCell): CompiledJsCell {
  const body = applyEdits(parsed.code, editsFor(parsed.program, parsed.code));
  const header = `let ${LAST_VALUE}; `;
  const footer = `\n;return { ${[LAST_VALUE, ...parsed.declarations].join(', ')} };`;
  const code = header + body + footer;
  const lineMap = [...parsed.lineMap];
  // The footer line reports as the cell's last line.
  lineMap.push(lineMap[lineMap.length - 1] ?? 1);
  return {
    code,
    inputs: parsed.references,
    declarations: parsed.declarations,
    lineMap,
    ...(parsed.secrets.length > 0 ? { secrets: parsed.secrets } : {}),
  };
}

function editsFor(program: Program, code: string): Edit[] {
  const edits: Edit[] = [];
  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration') {
      const original = code.slice(statement.start, statement.end);
      edits.push({
        start: statement.start,
        end: statement.end,
        text: lowerImport(statement) + newlinesOf(original),
      });
    } else if (statement.type === 'ExportNamedDeclaration') {
      // `export const x` keeps `const x`; `export {x}` goes entirely (js-cell.ts rejects the rest).
      const end = statement.declaration?.start ?? statement.end;
      edits.push({ start: statement.start, end, text: newlinesOf(code.slice(statement.start, end)) });
    }
  }
  // `import.meta` is module syntax, and a cell runs as a function body: it becomes the kernel's
  // `__quire_meta` (url, dirname, filename, resolve — all naming the notebook).
  if (code.includes('import.meta'))
    simple(program, {
      MetaProperty(node: MetaProperty) {
        if (node.meta.name === 'import' && node.property.name === 'meta')
          edits.push({ start: node.start, end: node.end, text: IMPORT_META });
      },
    });
  const last = lastStatement(program);
  // A cell ending in a declaration (or anything but an expression statement) shows nothing.
  if (last?.type === 'ExpressionStatement') {
    edits.push({ start: last.expression.start, end: last.expression.start, text: `${LAST_VALUE} = (` });
    edits.push({ start: last.expression.end, end: last.expression.end, text: ')' });
  }
  return edits;
}

/** The last statement that does something: not `;`, not the `export {…}` esbuild appends. */
function lastStatement(program: Program): Program['body'][number] | undefined {
  return program.body.findLast(
    (statement) =>
      statement.type !== 'EmptyStatement' &&
      !(statement.type === 'ExportNamedDeclaration' && !statement.declaration),
  );
}

/** Applies non-overlapping edits, back to front so earlier offsets stay valid. */
function applyEdits(code: string, edits: Edit[]): string {
  let result = code;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

/** The line breaks of removed text, so that nothing after it changes line. */
function newlinesOf(text: string): string {
  return '\n'.repeat(text.split('\n').length - 1);
}
