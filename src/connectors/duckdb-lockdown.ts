/**
 * Locks an embedded DuckDB down before any user SQL runs (DESIGN §6, NODE-COMPAT "Permission
 * model"). DuckDB is native code, so Node's fs allow-list does not bind it: DuckDB must refuse by
 * itself to touch files outside the workspace and scratch folders, to load extensions from disk or
 * the network, and to let user SQL undo any of this. The order matters: `allowed_directories` must
 * be set while external access is still on, and `lock_configuration` comes last.
 * Relative paths in user SQL resolve against the process cwd (the kernel runs in the workspace);
 * `file_search_path` does not help here, DuckDB checks the unresolved path against the allow-list.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import { quoteLiteral } from './sql-quote.js';

export interface LockdownOptions {
  workspace: string;
  scratch: string;
}

/** The statements, in the order they must run (exported so the order itself is tested). */
export function lockdownStatements({ workspace, scratch }: LockdownOptions): string[] {
  const dirs = [workspace, scratch].map((d) => quoteLiteral(withSlash(path.resolve(d)))).join(', ');
  return [
    `SET temp_directory=${quoteLiteral(path.join(path.resolve(scratch), 'duckdb-tmp'))}`,
    // Extensions would be fetched from the network or ~/.duckdb; the built-in ones (parquet, json) need neither.
    'SET autoinstall_known_extensions=false',
    `SET allowed_directories=[${dirs}]`,
    'SET enable_external_access=false',
    'SET lock_configuration=true',
  ];
}

export async function lockDown(conn: DuckDBConnection, options: LockdownOptions): Promise<void> {
  for (const statement of lockdownStatements(options)) await conn.run(statement);
}

/** A trailing slash so that `/work/a` does not also allow `/work/ab`. */
function withSlash(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}
