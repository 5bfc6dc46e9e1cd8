/**
 * The shared front half of analysing and compiling a JS/TS cell: transpile (TS only), parse,
 * find declarations and references, and reject what a cell may not contain. Every error comes
 * out as a CellSourceError positioned in the cell source.
 */
import type { ExportSpecifier, ModuleDeclaration, Program, Statement } from 'acorn';
import { findDeclarations } from './declarations.js';
import { CellSourceError, positionAt } from './errors.js';
import { parseProgram } from './parse.js';
import { findReferences } from './references.js';
import { DYNAMIC_SECRET_MESSAGE, findSecretNames } from './secrets.js';
import { findSqlTemplateTables } from './sql-in-js.js';
import { transpileTs } from './transpile.js';
import { CELL_LANGUAGES, type CodeLanguage } from '../protocol/languages.js';
import { RESERVED_PREFIX } from '../protocol/names.js';

/** Names the compiled cell uses for itself; a cell may not declare them. */
export { RESERVED_PREFIX };

export interface ParsedJsCell {
  /** the JavaScript that runs: the source itself for JS, esbuild's output for TS */
  code: string;
  program: Program;
  /** index = line in `code` - 1, value = 1-based line in the cell source */
  lineMap: number[];
  declarations: string[];
  references: string[];
  /** the secrets the cell reads with `secrets.get('NAME')` */
  secrets: string[];
}

/** Parses a cell of a language the JS compiler runs (`compiler: 'js'` in src/protocol/languages.ts). */
export function parseJsCell(source: string, language: CodeLanguage): ParsedJsCell {
  const { typescript } = CELL_LANGUAGES[language];
  const { code, lineMap } = typescript ? transpileTs(source) : { code: source, lineMap: identity(source) };
  // Positions in `code` map back exactly for JS; for TS only the line survives esbuild's rewrite.
  const toSource = (offset: number, message: string): CellSourceError => {
    const { line, column } = positionAt(code, offset);
    return new CellSourceError(message, lineMap[line - 1] ?? line, typescript ? 1 : column);
  };
  const program = parseMapped(code, toSource);
  for (const statement of program.body) checkExport(statement, toSource);
  const declarations = findDeclarations(program);
  const reserved = declarations.find((name) => name.startsWith(RESERVED_PREFIX));
  if (reserved) {
    throw toSource(
      code.indexOf(reserved),
      `\`${reserved}\`: names starting with ${RESERVED_PREFIX} are reserved`,
    );
  }
  const declared = new Set(declarations);
  // A name the cell declares at the top level is its own, never an input, even if read before;
  // reserved names are the compiled cell's own locals or provided by the kernel.
  const references = [...new Set([...findReferences(program), ...findSqlTemplateTables(program)])].filter(
    (name) => !declared.has(name) && !name.startsWith(RESERVED_PREFIX),
  );
  const secrets = findSecretNames(program, code);
  const [dynamic] = secrets.dynamic;
  if (dynamic) {
    throw new CellSourceError(
      DYNAMIC_SECRET_MESSAGE,
      lineMap[dynamic.line - 1] ?? dynamic.line,
      typescript ? 1 : dynamic.column,
    );
  }
  return { code, program, lineMap, declarations, references, secrets: secrets.names };
}

type ToSource = (offset: number, message: string) => CellSourceError;

function parseMapped(code: string, toSource: ToSource): Program {
  try {
    return parseProgram(code);
  } catch (error) {
    if (!(error instanceof CellSourceError)) throw error;
    const offset = lineOffset(code, error.line) + error.column - 1;
    throw toSource(offset, error.toJSON().message);
  }
}

/**
 * `export` before a declaration and `export {a, b}` are allowed and ignored: a pasted module keeps
 * working, and esbuild turns TS `export const` into `const` plus a trailing `export {…}`. Forms
 * that would bring in or create names no cell sees (`export default`, `export … from`) are
 * errors rather than silently lost.
 */
function checkExport(statement: Statement | ModuleDeclaration, toSource: ToSource): void {
  const exportsDefault =
    statement.type === 'ExportDefaultDeclaration' ||
    (statement.type === 'ExportNamedDeclaration' &&
      statement.specifiers.some((s) => exportedName(s) === 'default'));
  if (exportsDefault) throw toSource(statement.start, '`export default` is not allowed in a cell');
  const reexports =
    statement.type === 'ExportAllDeclaration' ||
    (statement.type === 'ExportNamedDeclaration' && statement.source);
  if (reexports) throw toSource(statement.start, '`export … from` is not allowed in a cell; import instead');
}

function exportedName(specifier: ExportSpecifier): unknown {
  return specifier.exported.type === 'Identifier' ? specifier.exported.name : specifier.exported.value;
}

function lineOffset(code: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) offset = code.indexOf('\n', offset) + 1;
  return offset;
}

function identity(source: string): number[] {
  return Array.from({ length: source.split('\n').length }, (_, index) => index + 1);
}
