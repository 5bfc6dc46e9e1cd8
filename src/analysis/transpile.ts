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
import { transform as transformAsync, transformSync, type Message, type TransformFailure } from 'esbuild';
import { CellSourceError } from './errors.js';
import { lineMapFromMappings } from './sourcemap.js';

export interface Transpiled {
  /** JavaScript (ES2022, ES module syntax) */
  code: string;
  /** index = line in `code` - 1, value = 1-based line in the TS source */
  lineMap: number[];
  /** the source map's `mappings` (positions of `code` in the TS source, see sourcemap.ts) */
  mappings: string;
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

const OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: 'es2022',
  sourcemap: 'external',
  sourcesContent: false,
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
} as const;

/**
 * Fills the cache for many sources at once through esbuild's async service. A headless run calls
 * this first: the first synchronous transform costs ~170 ms (a blocking service start), the
 * batch ~60 ms, and it overlaps with the kernel's start.
 */
export async function warmTranspileCache(sources: Iterable<string>): Promise<void> {
  const missing = [...new Set(sources)].filter((source) => !cache.has(source));
  await Promise.all(
    missing.map(async (source) => {
      try {
        remember(source, toTranspiled(await transformAsync(source, OPTIONS)));
      } catch (error) {
        const first = (error as Partial<TransformFailure>).errors?.[0];
        if (!first) throw error;
        remember(source, toCellError(first));
      }
    }),
  );
}

function remember(source: string, value: Transpiled | CellSourceError): void {
  cache.set(source, value);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
}

function toTranspiled(result: { code: string; map: string }): Transpiled {
  const mappings = (JSON.parse(result.map) as { mappings: string }).mappings;
  const lineCount = result.code.split('\n').length;
  return { code: result.code, lineMap: lineMapFromMappings(mappings, lineCount), mappings };
}

function transform(source: string): Transpiled | CellSourceError {
  try {
    return toTranspiled(transformSync(source, OPTIONS));
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
