/**
 * Runs one statement of a cell (one `;`-separated piece, see sql-split.ts) on the engine's
 * connection. DuckDB may expand one piece into several statements (PIVOT and UNPIVOT without an
 * IN list first create an enum type from the data), and a later one can be prepared only once the
 * earlier ones ran; so the piece is handed to DuckDB's own statement extraction, and each extracted
 * statement is prepared, bound with the cell parameters it declares (none, for most), and run in
 * turn. The last one's result is the piece's. The write guard sees the piece first and may replace
 * it by a rebuilt statement (duckdb-guard.ts).
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBPreparedStatement } from '@duckdb/node-api';
import { GeneratedStatementError } from './duckdb-errors.js';
import type { WriteGuard } from './duckdb-guard.js';
import { bindParameters } from './duckdb-params.js';
import { readResult } from './duckdb-read.js';
import { bindableText } from './sql-params.js';
import { Refusal } from './sql-screen.js';
import { QuireTable } from './table.js';

export interface StatementRun {
  conn: DuckDBConnection;
  guard: WriteGuard;
  parameters: readonly unknown[];
  /** receives every chunk of the final result (to keep a named cell's result in DuckDB) */
  onChunk?: (chunk: DuckDBDataChunk) => void;
}

/** Runs `text` (one statement of a cell, possibly expanded by DuckDB) and returns the last result. */
export async function runStatement(text: string, run: StatementRun): Promise<QuireTable> {
  const sql = bindableText(text);
  // DuckDB cannot parse `EXPORT DATABASE (scratch('x'))` or `ATTACH $1`; the guard can rebuild them.
  const extracted = await run.conn.extractStatements(sql).catch((error: unknown) => error as Error);
  const count = extracted instanceof Error ? undefined : extracted.count;
  const plan = await run.guard.plan(sql, count, run.parameters).catch((error: unknown) => {
    if (error instanceof Refusal) error.source = sql;
    throw error;
  });
  if (plan.rebuilt) {
    const prepared = await run.conn.prepare(plan.rebuilt.text);
    const expected = plan.rebuilt.type;
    return runPrepared(prepared, run, (type) => {
      if (type !== expected)
        throw new Refusal('quire could not rebuild this statement to check where it writes', 0);
    });
  }
  if (extracted instanceof Error) throw extracted;
  let table = new QuireTable([], []);
  for (let i = 0; i < extracted.count; i++) {
    const last = i === extracted.count - 1;
    try {
      const prepared = await extracted.prepare(i);
      table = await runPrepared(prepared, last ? run : { ...run, onChunk: undefined }, (type) =>
        run.guard.checkType(type),
      );
    } catch (error) {
      throw extracted.count > 1 ? new GeneratedStatementError(error) : error;
    }
  }
  return table;
}

async function runPrepared(
  prepared: DuckDBPreparedStatement,
  run: StatementRun,
  checkType: (type: number) => void,
): Promise<QuireTable> {
  try {
    checkType(prepared.statementType);
    bindParameters(prepared, run.parameters);
    return await readResult(await prepared.run(), run.onChunk);
  } finally {
    prepared.destroySync();
  }
}
