/**
 * Static analysis of cells (DESIGN §3): what each cell declares and references, and the compiled
 * form the kernel runs. Pure: no I/O, no evaluation of user code. esbuild is used only as a
 * TypeScript transpiler.
 */
import type { Cell, CodeCell } from '../format/types.js';
import { CellSourceError } from './errors.js';
import { parseJsCell } from './js-cell.js';
import { analyzeProse } from './prose.js';
import { compileSqlCell } from './compile-sql.js';
import { compileParsed } from './compile-js.js';
import type { CellAnalysis } from './types.js';
import { CELL_LANGUAGES } from '../protocol/languages.js';

export type { CellAnalysis, CompiledJsCell, CompiledSqlCell } from './types.js';
export { CellSourceError } from './errors.js';
export { warmTranspileCache } from './transpile.js';
export { findDeclarations } from './declarations.js';
export { findReferences } from './references.js';
export { findSecretNames } from './secrets.js';
export { compileJsCell, LAST_VALUE } from './compile-js.js';
export { compileSqlCell } from './compile-sql.js';
export { findTableCandidates } from './sql-tables.js';
export { IMPORT_FUNCTION } from './lower-imports.js';

/** Declarations and references of one cell; a syntax error is reported, never thrown. */
export function analyzeCell(cell: Cell): CellAnalysis {
  try {
    if (cell.kind === 'prose') {
      const { references, secrets } = analyzeProse(cell);
      return { declarations: [], references, ...(secrets.length > 0 ? { secrets } : {}) };
    }
    return analyzeCode(cell);
  } catch (error) {
    if (!(error instanceof CellSourceError)) throw error;
    return { declarations: cell.kind === 'code' ? sqlName(cell) : [], references: [], error: error.toJSON() };
  }
}

/** The analyses of many cells, in order. */
export function analyzeCells(cells: readonly Cell[]): CellAnalysis[] {
  return cells.map(analyzeCell);
}

function analyzeCode(cell: CodeCell): CellAnalysis {
  if (CELL_LANGUAGES[cell.language].compiler === 'js') {
    const parsed = parseJsCell(cell.source, cell.language);
    // Compiled now, while the parse is at hand: running the cell then needs no second parse.
    compileParsed(cell.language, cell.source, parsed);
    const { declarations, references, secrets } = parsed;
    return { declarations, references, ...(secrets.length > 0 ? { secrets } : {}) };
  }
  const compiled = compileSqlCell(cell.source);
  const references = [...new Set([...compiled.parameterReferences, ...compiled.tableCandidates])];
  const { secrets } = compiled;
  return { declarations: sqlName(cell), references, ...(secrets.length > 0 ? { secrets } : {}) };
}

/**
 * A named SQL cell declares its name even when its `${…}` do not parse: dependents then see the
 * cell's error rather than an undefined name.
 */
function sqlName(cell: CodeCell): string[] {
  return CELL_LANGUAGES[cell.language].nameDeclares && cell.attributes.name ? [cell.attributes.name] : [];
}
