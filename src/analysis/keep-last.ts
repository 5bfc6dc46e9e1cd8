/**
 * Keeping a TS cell's last expression through esbuild. esbuild folds constant expressions and
 * then drops a statement that folded down to a primitive (`"a" + 1`, `-1`, `!0`, `NaN`,
 * `1 + "x" as string`: its "unsightly primitives"), so the JavaScript has no last expression to
 * show while the same line in a JS cell shows `a1`.
 *
 * The fix, only for sources where a statement may have been dropped at the end: transpile once
 * more with `, __quire_keep` appended after the last statement (its final `;` removed). A comma
 * binds loosest, so an expression statement becomes the sequence `(expression), __quire_keep`,
 * which is not a primitive and is kept; the marker is then cut from the JavaScript. When the
 * source does not end in an expression statement the appended text fails to parse or extends a
 * declaration, the result does not have that shape, and the first transpile is used as it was.
 */
import type { ExpressionStatement, Program, SequenceExpression } from 'acorn';
import { parseProgram } from './parse.js';
import { positionsFromMappings } from './sourcemap.js';

const KEEP = '__quire_keep';

/**
 * The sources to transpile again, in order, each with the marker after what may be the last
 * statement: at the end, then before each trailing type-only declaration (`interface`, `type`,
 * `declare`: they leave no JavaScript behind). Empty when nothing can have been dropped: nothing
 * but closing punctuation, `;` and comments comes after the last source position the output maps
 * to. Conservative: a needless candidate costs a transform, never a wrong result.
 */
export function keepCandidates(source: string, mappings: string): string[] {
  let last: [number, number] | undefined;
  for (const position of positionsFromMappings(mappings).values()) {
    if (!last || position[0] > last[0] || (position[0] === last[0] && position[1] > last[1])) last = position;
  }
  const tail = last ? skipToken(source, offsetOf(source, last[0], last[1])) : 0;
  if (onlyClosersAfter(source, tail)) return [];
  const candidates = [withKeepMarker(source, source.length)];
  const typeOnly = /^[ \t]*(?:export[ \t]+)?(?:interface|type|declare)\b/gm;
  const starts = [...source.slice(tail).matchAll(typeOnly)].map((m) => tail + m.index);
  for (const start of starts.reverse()) candidates.push(withKeepMarker(source, start));
  return candidates;
}

/** `source` with the marker at `at`, the `;` before it (if that is the last token there) blanked. */
function withKeepMarker(source: string, at: number): string {
  const head = source.slice(0, at);
  const end = lastSignificant(head);
  const body = end !== -1 && head[end] === ';' ? head.slice(0, end) + ' ' + head.slice(end + 1) : head;
  return `${body}\n, ${KEEP}\n${source.slice(at)}`;
}

/**
 * The JavaScript of a marked source with the marker cut out, when its last statement is the
 * sequence `…, __quire_keep`; otherwise undefined (the marker changed something else).
 */
export function withoutKeepMarker(code: string): string | undefined {
  let program: Program;
  try {
    program = parseProgram(code);
  } catch {
    return undefined;
  }
  const last = program.body.findLast(
    (s) => s.type !== 'EmptyStatement' && !(s.type === 'ExportNamedDeclaration' && !s.declaration),
  );
  if (last?.type !== 'ExpressionStatement') return undefined;
  const sequence = (last as ExpressionStatement).expression;
  if (sequence.type !== 'SequenceExpression') return undefined;
  const items = (sequence as SequenceExpression).expressions;
  const marker = items.at(-1);
  if (items.length < 2 || marker?.type !== 'Identifier' || marker.name !== KEEP) return undefined;
  // Cut from the end of the expression before the marker: `x, __quire_keep` becomes `x`.
  return code.slice(0, items.at(-2)!.end) + code.slice(marker.end);
}

function offsetOf(source: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const next = source.indexOf('\n', offset);
    if (next === -1) return source.length;
    offset = next + 1;
  }
  return Math.min(offset + column, source.length);
}

/** The end of the token at `from`: a quoted string, a name or number, or one character. */
function skipToken(source: string, from: number): number {
  const quote = source[from];
  if (quote === '"' || quote === "'") {
    for (let i = from + 1; i < source.length; i++) {
      if (source[i] === '\\') i++;
      else if (source[i] === quote || source[i] === '\n') return i + 1;
    }
    return source.length;
  }
  let i = from;
  while (i < source.length && /[\w$.]/.test(source[i]!)) i++;
  return i === from ? from + 1 : i;
}

/** Whether only whitespace, comments, `;` and closing brackets or commas follow `from`. */
function onlyClosersAfter(source: string, from: number): boolean {
  for (let i = from; i < source.length;) {
    const skipped = skipTrivia(source, i);
    if (skipped === undefined) return false;
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (!';)]},'.includes(source[i]!)) return false;
    i++;
  }
  return true;
}

/** Past whitespace or one comment at `i` (`i` itself when there is none); undefined if unclosed. */
function skipTrivia(source: string, i: number): number | undefined {
  if (/\s/.test(source[i]!)) return i + 1;
  if (source.startsWith('//', i)) {
    const end = source.indexOf('\n', i);
    return end === -1 ? source.length : end + 1;
  }
  if (source.startsWith('/*', i)) {
    const end = source.indexOf('*/', i + 2);
    return end === -1 ? undefined : end + 2;
  }
  return i;
}

/**
 * The offset of the last character that is not whitespace or inside a comment or string, or -1.
 * Strings and template literals are skipped whole (a `;` inside one is not the last token).
 */
function lastSignificant(source: string): number {
  let last = -1;
  for (let i = 0; i < source.length;) {
    const skipped = skipTrivia(source, i);
    if (skipped === undefined) return last;
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const quote = source[i]!;
    if (quote === '"' || quote === "'" || quote === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== quote) j += source[j] === '\\' ? 2 : 1;
      last = Math.min(j, source.length - 1);
      i = j + 1;
      continue;
    }
    last = i;
    i++;
  }
  return last;
}
