/**
 * What static analysis says about one cell (DESIGN §3). Pure data.
 */

export interface CellAnalysis {
  /** top-level names this cell defines, a.k.a. its outputs (empty for prose) */
  declarations: string[];
  /**
   * free names this cell reads that other cells may define, a.k.a. its inputs. For JS/TS, every
   * free identifier (globals included: the graph keeps only those some cell declares); for SQL,
   * the free names of `${…}` expressions and the identifiers the query may read as tables; for
   * prose, the free names of its `${…}` expressions.
   */
  references: string[];
  /** JS/TS: the secrets the cell reads with `secrets.get('NAME')` (absent when none) */
  secrets?: string[];
  /** a syntax error in the cell, positions relative to the cell source (1-based) */
  error?: { message: string; line: number; column: number };
}

/** What the kernel needs to run a JS/TS cell (see `ExecuteJs` in kernel/protocol.ts). */
export interface CompiledJsCell {
  /** body of an async function taking `inputs` as parameters and returning `{__quire_last?, ...declarations}` */
  code: string;
  inputs: string[];
  declarations: string[];
  /** index = generated line - 1 in `code`, value = 1-based line in the cell source */
  lineMap: number[];
  /** the secrets the cell reads with `secrets.get('NAME')`, fetched before it starts (absent when none) */
  secrets?: string[];
}

/** What the kernel needs to run a SQL cell (see `ExecuteSql` in kernel/protocol.ts). */
export interface CompiledSqlCell {
  /** the SQL with each `${…}` replaced by `$1`, `$2`, … */
  sql: string;
  /** the expression sources bound to `$1`, `$2`, … */
  parameters: string[];
  /** free names of the parameter expressions */
  parameterReferences: string[];
  /** identifiers the query may read as tables (the graph keeps those a cell declares) */
  tableCandidates: string[];
  /** the secrets its `${…}` read with `secrets.get('NAME')` */
  secrets: string[];
}
