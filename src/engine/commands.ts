/**
 * Turns a cell of the engine state into the kernel command that runs it: compiles JS/TS, lowers
 * SQL `${…}` to bound parameters, and narrows inputs to the names the notebook defines (every other
 * free name is a global the kernel resolves itself).
 */
import { compileJsCell, compileSqlCell } from '../analysis/index.js';
import type { Cell } from '../format/types.js';
import { MissingSecretError } from '../secrets/source.js';
import type { ExecuteCommand } from '../kernel/types.js';
import type { EngineState } from './state/index.js';
import { CELL_LANGUAGES } from '../protocol/languages.js';

/**
 * Whether the kernel's scope may hold `name`: a cell's declaration or a param. Asked per name of
 * the cell, never by collecting every name of the notebook (that made each cell cost O(cells)).
 */
const definedIn =
  (state: EngineState) =>
  (name: string): boolean =>
    state.graph.definitions.has(name) || Object.hasOwn(state.params, name);

const only = (names: Iterable<string>, defined: (name: string) => boolean): string[] =>
  [...new Set(names)].filter(defined);

/**
 * The values of the secrets a cell names, by name; throws (failing the cell before it runs) when
 * one is not set. Carried out by the session: looking a secret up is I/O.
 */
export type ResolveSecrets = (names: string[]) => Record<string, string>;

export function commandForCell(
  state: EngineState,
  cell: Cell,
  resolveSecrets?: ResolveSecrets,
): ExecuteCommand {
  const defined = definedIn(state);
  if (cell.kind === 'prose') {
    const names = state.analyses.get(cell.id)?.secrets;
    const secrets = names?.length ? secretValues(names, resolveSecrets) : undefined;
    return {
      type: 'renderProse',
      cellId: cell.id,
      inputs: only(state.analyses.get(cell.id)?.references ?? [], defined),
      expressions: cell.interpolations.map((i) => i.expression),
      source: cell.source,
      interpolations: cell.interpolations.map(({ start, end }) => ({ start, end })),
      ...(secrets ? { secrets } : {}),
    };
  }
  if (CELL_LANGUAGES[cell.language].compiler === 'sql') {
    const compiled = compileSqlCell(cell.source);
    const secrets = compiled.secrets.length ? secretValues(compiled.secrets, resolveSecrets) : undefined;
    return {
      type: 'executeSql',
      cellId: cell.id,
      inputs: only(compiled.parameterReferences, defined),
      sql: compiled.sql,
      parameters: compiled.parameters,
      tables: only(compiled.tableCandidates, defined),
      ...(cell.attributes.name ? { name: cell.attributes.name } : {}),
      ...(cell.attributes.connection ? { connection: cell.attributes.connection } : {}),
      ...(secrets ? { secrets } : {}),
    };
  }
  const compiled = compileJsCell(cell);
  const secrets = compiled.secrets ? secretValues(compiled.secrets, resolveSecrets) : undefined;
  return {
    type: 'executeJs',
    cellId: cell.id,
    inputs: only(compiled.inputs, defined),
    code: compiled.code,
    declarations: compiled.declarations,
    lineMap: compiled.lineMap,
    ...(secrets ? { secrets } : {}),
  };
}

function secretValues(names: string[], resolve: ResolveSecrets | undefined): Record<string, string> {
  if (resolve) return resolve(names);
  throw new MissingSecretError(names[0] ?? '', 'this session has no secret source');
}
