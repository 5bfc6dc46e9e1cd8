/**
 * TypeScript → JavaScript for one cell, with a line map back to the TS source. esbuild strips
 * types and rewrites the code (dropped interfaces move every line below them), so the line map
 * comes from its source map.
 *
 * `verbatimModuleSyntax` keeps every import not marked `type`: esbuild would otherwise drop an
 * import the cell does not use itself, yet in a notebook its binding is an output other cells use.
 *
 * esbuild drops a last expression that folds to a primitive (`"a" + 1`): keep-last.ts gets it back.
 *
 * Results are cached by source: an edit re-analyses one cell, but the engine asks for the
 * analysis and the compiled form of the same source, and a transform costs a round trip to the
 * esbuild service (~1-2 ms) where a lookup costs nothing.
 */
import { transform as transformAsync, transformSync, type Message, type TransformFailure } from 'esbuild';
import { CellSourceError } from './errors.js';
import { keepCandidates, withoutKeepMarker } from './keep-last.js';
import { lineMapFromMappings } from './sourcemap.js';

export interface Transpiled {
  /** JavaScript (ES2022, ES module syntax) */
  code: string;
  /** index = line in `code` - 1, value = 1-based line in the TS source */
  lineMap: number[];
  /** the source map's `mappings` (positions of `code` in the TS source, see sourcemap.ts) */
  mappings: string;
}

/**
 * The cache is bounded by the characters it holds, not by a count of entries: it must hold every
 * TS cell of a large notebook at once (a run warms it with all of them, then analyses and compiles
 * each), or each of those cells costs two synchronous transforms more. A 20,000-cell notebook of
 * one-liners holds ~1 M characters; 16 M is ~32 MB at most.
 */
const CACHE_CHARS = 16_000_000;
const cache = new Map<string, Transpiled | CellSourceError>();
let cachedChars = 0;

const charsOf = (source: string, value: Transpiled | CellSourceError): number =>
  source.length + (value instanceof CellSourceError ? 0 : value.code.length + value.mappings.length);

/** Transpiles a TS cell; throws a CellSourceError with the TS position on a syntax error. */
export function transpileTs(source: string): Transpiled {
  const cached = cache.get(source);
  const hit = cached ?? transform(source);
  // Re-inserting keeps the map in least-recently-used order for eviction.
  if (cached !== undefined) cache.delete(source);
  else cachedChars += charsOf(source, hit);
  cache.set(source, hit);
  evict();
  if (hit instanceof CellSourceError) throw hit;
  return hit;
}

function evict(): void {
  while (cachedChars > CACHE_CHARS && cache.size > 1) {
    const [source, value] = cache.entries().next().value as [string, Transpiled | CellSourceError];
    cache.delete(source);
    cachedChars -= charsOf(source, value);
  }
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
        const first = toResult(await transformAsync(source, OPTIONS));
        let kept: Result | undefined;
        for (const candidate of keepCandidates(source, first.mappings)) {
          kept = kept ?? keptLast(await transformAsync(candidate, OPTIONS).catch(() => undefined));
        }
        remember(source, toTranspiled(kept ?? first));
      } catch (error) {
        const first = (error as Partial<TransformFailure>).errors?.[0];
        if (!first) throw error;
        remember(source, toCellError(first));
      }
    }),
  );
}

function remember(source: string, value: Transpiled | CellSourceError): void {
  if (cache.has(source)) return;
  cache.set(source, value);
  cachedChars += charsOf(source, value);
  evict();
}

interface Result {
  code: string;
  mappings: string;
}

const toResult = (result: { code: string; map: string }): Result => ({
  code: result.code,
  mappings: (JSON.parse(result.map) as { mappings: string }).mappings,
});

/** The transform of a marked source (keep-last.ts) when it kept a last expression, else undefined. */
function keptLast(marked: { code: string; map: string } | undefined): Result | undefined {
  const code = marked && withoutKeepMarker(marked.code);
  return code === undefined ? undefined : { code, mappings: toResult(marked!).mappings };
}

function toTranspiled({ code, mappings }: Result): Transpiled {
  return { code, lineMap: lineMapFromMappings(mappings, code.split('\n').length), mappings };
}

function transformOrUndefined(source: string): { code: string; map: string } | undefined {
  try {
    return transformSync(source, OPTIONS);
  } catch {
    return undefined;
  }
}

function transform(source: string): Transpiled | CellSourceError {
  try {
    const first = toResult(transformSync(source, OPTIONS));
    for (const candidate of keepCandidates(source, first.mappings)) {
      const kept = keptLast(transformOrUndefined(candidate));
      if (kept) return toTranspiled(kept);
    }
    return toTranspiled(first);
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
