/**
 * SQL cells: parameters are evaluated in the kernel, then the query runs on the embedded DuckDB or,
 * with `connection`, in the host (which holds the credentials) and comes back as rows.
 */
import type { ExecuteSql } from '../protocol.js';
import type { ErrorData, TableValue } from '../../outputs/types.js';
import { emit } from './cell.js';
import { queryConnection } from './channel.js';
import type { Completion } from './completion.js';
import { cellFile, toErrorData } from './errors.js';
import { evaluateAll } from './evaluate.js';
import { toOutputs } from './outputs.js';
import type { Scope } from './scope.js';
import { embeddedEngine } from './sql-engine.js';
import { noteKept } from './table-page.js';

function sqlError(message: string): Error {
  const error = new Error(message);
  error.name = 'SqlError';
  return error;
}

/** The error of a SQL cell; DuckDB's `LINE n:` gives the line when the engine did not. */
function sqlErrorData(error: unknown): ErrorData {
  const data = toErrorData(error);
  const line = /\bLINE (\d+):/.exec(data.message);
  if (data.line === undefined && line) data.line = Number(line[1]);
  return data;
}

async function viaConnection(connection: string, sql: string, parameters: unknown[]): Promise<TableValue> {
  const reply = await queryConnection(connection, sql, parameters);
  if (!reply.ok) throw sqlError(reply.error ?? `the query on connection "${connection}" failed`);
  const { tableFromRows } = await import('../../connectors/kernel/table.js');
  return tableFromRows(reply.columns ?? [], reply.rows ?? []);
}

function tablesInScope(names: string[], scope: Scope): Record<string, unknown> {
  const tables: Record<string, unknown> = {};
  for (const name of names) if (scope.has(name)) tables[name] = scope.get(name);
  return tables;
}

async function run(
  command: ExecuteSql,
  scope: Scope,
): Promise<{ table: TableValue; versions?: Record<string, string> }> {
  const file = cellFile('sql', command.cellId);
  const parameters = await evaluateAll(command.parameters, command.inputs, scope, file);
  if (command.connection) return { table: await viaConnection(command.connection, command.sql, parameters) };
  const engine = await embeddedEngine();
  const request = { sql: command.sql, parameters, tables: tablesInScope(command.tables, scope) };
  const table = await engine.execute(command.name ? { ...request, name: command.name } : request);
  return { table, versions: { duckdb: engine.version } };
}

export async function executeSql(command: ExecuteSql, scope: Scope): Promise<Completion> {
  scope.forgetCell(command.cellId);
  try {
    const { table, versions } = await run(command, scope);
    const declared = command.name ? scope.bindCell(command.cellId, new Map([[command.name, table]])) : [];
    scope.showTable(command.cellId, table);
    noteKept(table);
    for (const output of await toOutputs(table)) emit(output);
    return versions ? { status: 'ok', declared, versions } : { status: 'ok', declared };
  } catch (error) {
    return { status: 'error', error: sqlErrorData(error), declared: [] };
  }
}
