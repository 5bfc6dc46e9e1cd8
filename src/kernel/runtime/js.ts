/**
 * JS cells: the compiled body runs as an async function over its inputs; it returns
 * `{__quire_last?, ...declarations}`; the declarations go into the scope and the last value is shown.
 */
import { MIME } from '../../outputs/types.js';
import type { ExecuteJs } from '../protocol.js';
import { emit } from './cell.js';
import type { Completion } from './completion.js';
import { cellFile, toErrorData } from './errors.js';
import { runBody } from './evaluate.js';
import { loadOutputs, needsOutputs, toOutputs } from './outputs.js';
import type { Scope } from './scope.js';

function declarationsOf(returned: unknown, names: string[]): Map<string, unknown> {
  const record = (typeof returned === 'object' && returned !== null ? returned : {}) as Record<
    string,
    unknown
  >;
  return new Map(names.map((name) => [name, record[name]]));
}

async function showLast(cellId: string, returned: unknown, scope: Scope): Promise<void> {
  if (typeof returned !== 'object' || returned === null || !('__quire_last' in returned)) return;
  const value = (returned as { __quire_last: unknown }).__quire_last;
  if (value === undefined) return;
  const outputs = await toOutputs(value);
  // Remembered for paging when it shows as a table (table-page.ts).
  if (outputs.some((o) => o.mime === MIME.table)) scope.showTable(cellId, value);
  for (const output of outputs) emit(output);
}

export async function executeJs(command: ExecuteJs, scope: Scope): Promise<Completion> {
  const file = cellFile('cell', command.cellId);
  scope.forgetCell(command.cellId);
  try {
    if (needsOutputs(command.code)) await loadOutputs();
    const returned = await runBody(command.code, command.inputs, scope, file);
    const declared = scope.bindCell(command.cellId, declarationsOf(returned, command.declarations));
    await showLast(command.cellId, returned, scope);
    return { status: 'ok', declared };
  } catch (error) {
    return { status: 'error', error: toErrorData(error, { file, lineMap: command.lineMap }), declared: [] };
  }
}
