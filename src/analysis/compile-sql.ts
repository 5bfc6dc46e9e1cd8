/**
 * A SQL cell for the kernel (see ExecuteSql in kernel/protocol.ts): `${…}` → `$n` parameters
 * (sql-template.ts) and the names the query may read as tables (sql-tables.ts).
 */
import { compileSqlTemplate } from './sql-template.js';
import { findTableCandidates } from './sql-tables.js';
import type { CompiledSqlCell } from './types.js';

/** Compiles a SQL cell's source; throws a CellSourceError when a `${…}` is not a valid expression. */
export function compileSqlCell(source: string): CompiledSqlCell {
  const { sql, parameters } = compileSqlTemplate(source);
  return {
    sql,
    parameters: parameters.map((p) => p.expression),
    parameterReferences: [...new Set(parameters.flatMap((p) => p.references))],
    tableCandidates: findTableCandidates(sql),
    secrets: [...new Set(parameters.flatMap((p) => p.secrets))],
  };
}
