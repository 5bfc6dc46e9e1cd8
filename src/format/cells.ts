/**
 * Splits the notebook body into cells: each executable fence (ts, typescript, js, javascript,
 * sql) is a CodeCell; the text between them, fences of other languages included, is a ProseCell.
 * The raw texts of the cells concatenate to the body exactly.
 */
import { interpretAttributes, tokenizeAttributes, type AttributeContext } from './attributes.js';
import { NotebookParseError } from './errors.js';
import {
  executableLanguage,
  findClosingFence,
  matchOpeningFence,
  stripIndent,
  type OpeningFence,
} from './fence.js';
import { findProseInterpolations, InterpolationSyntaxError } from './interpolations.js';
import { lineEnd, type Line, type LineIndex } from './lines.js';
import type { Cell, CodeCell, CodeLanguage, FormatWarning, ProseCell } from './types.js';

export interface ScanContext {
  text: string;
  lines: Line[];
  index: LineIndex;
  warnings: FormatWarning[];
  path?: string;
}

/** Scans lines from `firstLine` to the end into cells. */
export function scanCells(ctx: ScanContext, firstLine: number): Cell[] {
  const { text, lines } = ctx;
  const cells: Cell[] = [];
  let proseStart = lines[firstLine]?.start ?? text.length;
  for (let i = firstLine; i < lines.length; i++) {
    const line = lines[i] as Line;
    const open = matchOpeningFence(line.text);
    if (!open) continue;
    const close = findClosingFence(lines, i, open);
    const exec = executableLanguage(open.info);
    if (exec && close === -1) {
      const fence = open.char.repeat(open.length) + exec.word;
      throw new NotebookParseError(
        `unterminated ${fence} fence opened at line ${i + 1}`,
        i + 1,
        open.indent + 1,
        ctx.path,
      );
    }
    if (exec) {
      if (proseStart < line.start) cells.push(proseCell(ctx, proseStart, line.start, cells.length + 1));
      cells.push(codeCell(ctx, { open, openIndex: i, closeIndex: close, ...exec }, cells.length + 1));
      proseStart = lineEnd(lines[close] as Line);
    }
    i = close === -1 ? lines.length : close;
  }
  if (proseStart < text.length) cells.push(proseCell(ctx, proseStart, text.length, cells.length + 1));
  return cells;
}

function proseCell(ctx: ScanContext, start: number, end: number, position: number): ProseCell {
  const source = ctx.text.slice(start, end);
  const { line } = ctx.index.position(start);
  try {
    const interpolations = findProseInterpolations(source);
    return { kind: 'prose', id: `cell-${position}`, raw: source, line, source, interpolations };
  } catch (err) {
    if (!(err instanceof InterpolationSyntaxError)) throw err;
    const at = ctx.index.position(start + err.offset);
    throw new NotebookParseError(err.message, at.line, at.column, ctx.path);
  }
}

interface FenceSpan {
  open: OpeningFence;
  openIndex: number;
  closeIndex: number;
  language: CodeLanguage;
  /** the language word as written (`typescript`) */
  word: string;
}

function codeCell(ctx: ScanContext, span: FenceSpan, position: number): CodeCell {
  const { lines } = ctx;
  const first = lines[span.openIndex] as Line;
  const line = span.openIndex + 1;
  const attrCtx: AttributeContext = {
    line,
    column: span.open.infoColumn + span.word.length + 1,
    language: span.language,
    path: ctx.path,
  };
  const tokens = tokenizeAttributes(span.open.info.slice(span.word.length), attrCtx);
  const found: FormatWarning[] = [];
  const attributes = interpretAttributes(tokens, attrCtx, found);
  const id = attributes.name ?? `cell-${position}`;
  for (const warning of found) ctx.warnings.push({ ...warning, cellId: id });
  return {
    kind: 'code',
    id,
    raw: ctx.text.slice(first.start, lineEnd(lines[span.closeIndex] as Line)),
    line,
    language: span.language,
    info: span.open.info,
    attributes,
    source: contentOf(lines.slice(span.openIndex + 1, span.closeIndex), span.open.indent),
    sourceLine: line + 1,
  };
}

/** The content lines with the fence's indentation removed; the last line's ending is dropped. */
export function contentOf(lines: Line[], indent: number): string {
  let source = '';
  lines.forEach((l, i) => {
    source += stripIndent(l.text, indent) + (i < lines.length - 1 ? l.eol : '');
  });
  return source;
}
