/**
 * Questions about one cell that do not depend on the run: can it ever run, and is it broken
 * before running (syntax error, duplicate definition, cycle)?
 */
import type { Cell, Interpolation } from '../../format/types.js';
import type { ErrorData } from '../../outputs/types.js';
import type { Draft } from './draft.js';
import type { EngineState } from './types.js';

/** The cell with this id, without scanning the cells. */
export function cellOf(state: EngineState, id: string): Cell | undefined {
  const at = state.cellIndex.get(id);
  return at === undefined ? undefined : state.cells[at];
}

/** Code runs unless `run=false`; prose runs (to render) only when it has `${…}` interpolations. */
export function isRunnable(cell: Cell): boolean {
  return cell.kind === 'code' ? cell.attributes.run !== false : cell.interpolations.length > 0;
}

/** The error that stops the cell from running at all, if any: analysis first, then the graph. */
export function staticError(d: Draft, id: string): ErrorData | undefined {
  const analysisError = d.analyses.get(id)?.error;
  if (analysisError) {
    const { message, line, column } = analysisError;
    return { name: 'SyntaxError', message, line, column };
  }
  const errors = d.graph.errors.get(id);
  if (!errors || errors.length === 0) return undefined;
  const name = errors[0]!.kind === 'cycle' ? 'CycleError' : 'DuplicateDefinitionError';
  return { name, message: errors.map((e) => e.message).join('; ') };
}

/**
 * A fallback for prose edits that arrive without interpolations: finds `${…}` (not `\${`) with
 * balanced braces. The format's parser is the authority; this only decides whether prose runs.
 */
export function scanInterpolations(source: string): Interpolation[] {
  const found: Interpolation[] = [];
  for (let i = source.indexOf('${'); i !== -1; i = source.indexOf('${', i + 2)) {
    if (i > 0 && source[i - 1] === '\\') continue;
    const end = matchingBrace(source, i + 2);
    if (end === -1) break;
    found.push({ expression: source.slice(i + 2, end), start: i, end: end + 1 });
    i = end - 1;
  }
  return found;
}

function matchingBrace(source: string, from: number): number {
  let depth = 1;
  for (let j = from; j < source.length; j++) {
    if (source[j] === '{') depth++;
    else if (source[j] === '}' && --depth === 0) return j;
  }
  return -1;
}
