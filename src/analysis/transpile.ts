/**
 * TypeScript → JavaScript for one cell, with a line map back to the TS source. esbuild strips
 * types and rewrites the code (dropped interfaces move every line below them), so the line map
 * comes from its source map.
 *
 * `verbatimModuleSyntax` keeps every import not marked `type`: esbuild would otherwise drop an
 * import the cell does not use itself, yet in a notebook its binding is an output other cells use.
 *
 * Results are cached by source: an edit re-analyses one cell, but the engine asks for the
 * analysis and the compiled form of the same source, and a transform costs a round trip to the
 * esbuild service (~1-2 ms) where a lookup costs nothing.
 */
import { transformSync, type Message, type TransformFailure } from 'esbuild';
import { CellSourceError } from './errors.js';
import { lineMapFromMappings } from './sourcemap.js';

export interface Transpiled {
  /** JavaScript (ES2022, ES module syntax) */
  code: string;
  /** index = line in `code` - 1, value = 1-based line in the TS source */
  lineMap: number[];
}

const CACHE_SIZE = 1000;
const cache = new Map<string, Transpiled | CellSourceError>();

/** Transpiles a TS cell; throws a CellSourceError with the TS position on a syntax error. */
export function transpileTs(source: string): Transpiled {
  const hit = cache.get(source) ?? transform(source);
  // Re-inserting keeps the map in least-recently-used order for eviction.
  cache.delete(source);
  cache.set(source, hit);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  if (hit instanceof CellSourceError) throw hit;
  return hit;
}

function transform(source: string): Transpiled | CellSourceError {
  try {
    const result = transformSync(source, {
      loader: 'ts',
      format: 'esm',
      target: 'es2022',
      sourcemap: 'external',
      sourcesContent: false,
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    const mappings = (JSON.parse(result.map) as { mappings: string }).mappings;
    const lineCount = result.code.split('\n').length;
    return { code: result.code, lineMap: lineMapFromMappings(mappings, lineCount) };
  } catch (error) {
    const first = (error as Partial<TransformFailure>).errors?.[0];
    if (!first) throw error;
    return toCellError(first);
  }
}

function toCellError(message: Message): CellSourceError {
  const location = message.location;
  if (!location) return new CellSourceError(message.text, 1, 1);
  // esbuild lines are 1-based; columns are 0-based and count UTF-8 bytes, ours count characters.
  const bytes = new TextEncoder().encode(location.lineText).subarray(0, location.column);
  return new CellSourceError(message.text, location.line, new TextDecoder().decode(bytes).length + 1);
}
