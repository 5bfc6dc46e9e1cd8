/**
 * Just enough of Source Map v3 to map each generated line to a source line: esbuild moves lines
 * when it drops types and imports, and errors must point at the line the author wrote. A tiny
 * VLQ decoder rather than a dependency: we only need the first mapped segment of each line.
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((char, index) => [char, index]));

/**
 * For each generated line, the 1-based source line of its first mapped segment. A line with no
 * mapping inherits the line before it (a continuation of the same statement), or 1 at the top.
 */
export function lineMapFromMappings(mappings: string, generatedLines: number): number[] {
  const lineMap: number[] = [];
  let sourceLine = 0;
  const lines = mappings.split(';');
  for (let generated = 0; generated < generatedLines; generated++) {
    let first: number | undefined;
    for (const segment of (lines[generated] ?? '').split(',')) {
      const fields = decodeVlq(segment);
      // Fields: column, source index, source line, source column, name — all deltas.
      if (fields.length < 4) continue;
      sourceLine += fields[2] as number;
      first ??= sourceLine;
    }
    lineMap.push(first !== undefined ? first + 1 : (lineMap[generated - 1] ?? 1));
  }
  return lineMap;
}

/**
 * Every mapped position: key `line:column` of the generated code (both 0-based), value the
 * source's [line, column] (0-based). esbuild maps each token it copies (identifiers included), so
 * a name in the JavaScript can be found in the TypeScript it came from.
 */
export function positionsFromMappings(mappings: string): Map<string, [number, number]> {
  const positions = new Map<string, [number, number]>();
  let sourceLine = 0;
  let sourceColumn = 0;
  mappings.split(';').forEach((line, generatedLine) => {
    let column = 0;
    for (const segment of line.split(',')) {
      const fields = decodeVlq(segment);
      if (fields.length === 0) continue;
      column += fields[0] as number;
      if (fields.length < 4) continue;
      sourceLine += fields[2] as number;
      sourceColumn += fields[3] as number;
      positions.set(`${generatedLine}:${column}`, [sourceLine, sourceColumn]);
    }
  });
  return positions;
}

/** Decodes one segment of base64 VLQ numbers. */
export function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`invalid VLQ character ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    // The lowest bit is the sign.
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}
