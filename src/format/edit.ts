/**
 * Pure edits of a parsed notebook. Each returns a new Notebook whose serialization differs from
 * the old one only in the bytes of the edited cell(s): the new text is assembled from the raw
 * parts and parsed again, so ids, lines and interpolations are always what a reader would get.
 * An edit that would change the structure of other cells (prose that opens a fence, a fence that
 * would swallow the cells after it, text that would become front matter) throws NotebookEditError.
 */
import { renderAttribute, tokenizeAttributes, type AttributeToken } from './attributes.js';
import { formatDuration, parseDuration } from './duration.js';
import { NotebookEditError, NotebookParseError } from './errors.js';
import { executableLanguage } from './fence.js';
import { firstEol, normalizeEols } from './lines.js';
import { parseNotebook } from './parse.js';
import { fenceParts, renderCodeCell, renderNewCodeCell } from './render.js';
import type { Cell, CodeLanguage, Notebook } from './types.js';

/** Attribute changes: a value sets the attribute, `null` removes it, absent keys stay as written. */
export interface AttributePatch {
  name?: string | null;
  connection?: string | null;
  echo?: boolean | null;
  run?: boolean | null;
  /** milliseconds (rendered in the largest exact unit) or a duration such as `30s` */
  timeout?: number | string | null;
  extra?: Record<string, string | null>;
}

export type NewCell =
  { language: CodeLanguage; source: string; attributes?: AttributePatch } | { prose: string };

/** Replaces a cell's source (a code cell keeps its fence style; line endings follow the file). */
export function setCellSource(nb: Notebook, cellId: string, source: string): Notebook {
  const index = indexOf(nb, cellId);
  const cell = nb.cells[index] as Cell;
  const eol = firstEol(cell.raw, notebookEol(nb));
  const raw =
    cell.kind === 'code'
      ? renderCodeCell(fenceParts(cell.raw), normalizeEols(source, eol))
      : normalizeEols(source, eol);
  return rebuild(nb, replaceAt(rawParts(nb), index, raw));
}

/** Inserts a code or prose cell so that it becomes `nb.cells[index]`. */
export function insertCell(nb: Notebook, index: number, cell: NewCell): Notebook {
  if (!Number.isInteger(index) || index < 0 || index > nb.cells.length) {
    throw new NotebookEditError(`insert index ${index} is out of range 0..${nb.cells.length}`);
  }
  const eol = notebookEol(nb);
  const parts = rawParts(nb);
  let raw: string;
  if ('prose' in cell) raw = framedProse(normalizeEols(cell.prose, eol), parts[index - 1], parts[index], eol);
  else {
    const info = renderInfo(cell.language, [], cell.attributes ?? {}, '`');
    raw = renderNewCodeCell(info, normalizeEols(cell.source, eol), eol);
  }
  parts.splice(index, 0, raw);
  return rebuild(nb, parts);
}

/**
 * New prose between `before` and `after` gets a blank line on each side that has a neighbour
 * without one, so it stays its own paragraph (text next to text would otherwise run into one) and
 * reads as Markdown is usually written. Only the new cell's bytes are padded: the others keep theirs.
 */
function framedProse(
  text: string,
  before: string | undefined,
  after: string | undefined,
  eol: string,
): string {
  if (text.trim() === '') return text;
  const blankEnd = (t: string) => /(\r?\n|\r)[ \t]*(\r?\n|\r)$/.test(t);
  const blankStart = (t: string) => /^[ \t]*(\r?\n|\r)/.test(t);
  let raw = text;
  if (before !== undefined && before !== '' && !blankEnd(before) && !blankStart(raw)) {
    // a part that does not end its line gets an eol from rebuild; one more makes the blank line
    raw = eol + raw;
  }
  if (after !== undefined && after !== '' && !blankStart(after)) {
    if (!/(\r?\n|\r)$/.test(raw)) raw += eol;
    if (!blankEnd(raw)) raw += eol;
  } else if (after === undefined && !/(\r?\n|\r)$/.test(raw)) raw += eol;
  return raw;
}

export function deleteCell(nb: Notebook, cellId: string): Notebook {
  const parts = rawParts(nb);
  parts.splice(indexOf(nb, cellId), 1);
  return rebuild(nb, parts);
}

/** Moves a cell so that it ends up at `toIndex` of the resulting cell list. */
export function moveCell(nb: Notebook, cellId: string, toIndex: number): Notebook {
  if (!Number.isInteger(toIndex) || toIndex < 0 || toIndex >= nb.cells.length) {
    throw new NotebookEditError(`move index ${toIndex} is out of range 0..${nb.cells.length - 1}`);
  }
  const parts = rawParts(nb);
  const [raw] = parts.splice(indexOf(nb, cellId), 1);
  parts.splice(toIndex, 0, raw ?? '');
  return rebuild(nb, parts);
}

/** Changes a code cell's attributes; tokens not named in the patch keep their text. */
export function setCellAttributes(nb: Notebook, cellId: string, patch: AttributePatch): Notebook {
  const index = indexOf(nb, cellId);
  const cell = nb.cells[index] as Cell;
  if (cell.kind !== 'code') throw new NotebookEditError(`cell "${cellId}" is prose: it has no attributes`);
  const parts = fenceParts(cell.raw);
  const word = executableLanguage(cell.info)?.word ?? cell.language;
  const tokens = tokenizeAttributes(cell.info.slice(word.length), {
    line: 1,
    column: 1,
    language: cell.language,
  });
  const info = renderInfo(word, tokens, patch, parts.open.char);
  return rebuild(nb, replaceAt(rawParts(nb), index, renderCodeCell(parts, cell.source, info)));
}

function renderInfo(word: string, tokens: AttributeToken[], patch: AttributePatch, char: string): string {
  const values = patchValues(patch);
  const words = [word];
  for (const token of tokens) {
    if (!values.has(token.key)) words.push(token.raw);
    else {
      const value = values.get(token.key);
      if (value !== null && value !== undefined) words.push(renderAttribute(token.key, value));
      values.delete(token.key);
    }
  }
  for (const [key, value] of values) if (value !== null) words.push(renderAttribute(key, value));
  const info = words.join(' ');
  if (/[\r\n]/.test(info)) throw new NotebookEditError('attribute values cannot contain line breaks');
  if (char === '`' && info.includes('`')) {
    throw new NotebookEditError('attribute values of a ``` fence cannot contain a backtick');
  }
  return info;
}

/** The patch as attribute texts in a fixed order; `null` marks a removal. */
function patchValues(patch: AttributePatch): Map<string, string | null> {
  const values = new Map<string, string | null>();
  const put = (key: string, value: string | boolean | null | undefined): void => {
    if (value !== undefined) values.set(key, value === null ? null : String(value));
  };
  put('name', patch.name);
  put('connection', patch.connection);
  put('echo', patch.echo);
  put('run', patch.run);
  put('timeout', timeoutText(patch.timeout));
  for (const [key, value] of Object.entries(patch.extra ?? {})) {
    if (!/^[A-Za-z_][\w.-]*$/.test(key))
      throw new NotebookEditError(`invalid attribute name ${JSON.stringify(key)}`);
    put(key, value);
  }
  return values;
}

function timeoutText(timeout: AttributePatch['timeout']): string | null | undefined {
  if (typeof timeout === 'number') return formatDuration(timeout);
  if (typeof timeout === 'string') {
    try {
      parseDuration(timeout);
    } catch (err) {
      throw new NotebookEditError((err as Error).message);
    }
  }
  return timeout;
}

function indexOf(nb: Notebook, cellId: string): number {
  const index = nb.cells.findIndex((c) => c.id === cellId);
  if (index === -1) throw new NotebookEditError(`no cell with id "${cellId}"`);
  return index;
}

function rawParts(nb: Notebook): string[] {
  return nb.cells.map((c) => c.raw);
}

function replaceAt(parts: string[], index: number, raw: string): string[] {
  return parts.map((part, i) => (i === index ? raw : part));
}

/** The notebook's line ending: the first one it uses, `\n` for a notebook without any. */
function notebookEol(nb: Notebook): string {
  for (const raw of [nb.frontMatter?.raw ?? '', ...rawParts(nb)]) {
    const eol = firstEol(raw, '');
    if (eol) return eol;
  }
  return '\n';
}

/**
 * Joins the parts (a part that is followed by another must end its last line, or a fence would
 * start mid-line), parses the result, and checks that every cell came out as intended.
 */
function rebuild(nb: Notebook, parts: string[]): Notebook {
  const eol = notebookEol(nb);
  const ended = (text: string): string => (text === '' || /[\r\n]$/.test(text) ? text : text + eol);
  const body = parts.filter((p) => p !== '').map((p, i, all) => (i < all.length - 1 ? ended(p) : p));
  const fm = nb.frontMatter ? (body.length > 0 ? ended(nb.frontMatter.raw) : nb.frontMatter.raw) : '';
  const text = (nb.bom ? '\uFEFF' : '') + fm + body.join('');
  let result: Notebook;
  try {
    result = parseNotebook(text, nb.path === undefined ? {} : { path: nb.path }).notebook;
  } catch (err) {
    if (err instanceof NotebookParseError)
      throw new NotebookEditError(`the edit makes the notebook invalid: ${err.message}`);
    throw err;
  }
  checkStructure(result, fm, body);
  return result;
}

/** Adjacent prose parts merge into one cell; anything else means the edit leaked into other cells. */
function checkStructure(result: Notebook, fm: string, body: string[]): void {
  const expected: string[] = [];
  let prose = false;
  for (const part of body) {
    const isCode = executableLanguage(fenceInfo(part)) !== undefined && /^ {0,3}(```|~~~)/.test(part);
    if (!isCode && prose) expected[expected.length - 1] += part;
    else expected.push(part);
    prose = !isCode;
  }
  const actual = result.cells.map((c) => c.raw);
  const same =
    (result.frontMatter?.raw ?? '') === fm &&
    actual.length === expected.length &&
    actual.every((r, i) => r === expected[i]);
  if (!same)
    throw new NotebookEditError(
      'the edit would change other cells (an unclosed fence, a new code fence or front matter in the new text)',
    );
}

function fenceInfo(part: string): string {
  return /^ {0,3}(?:`{3,}|~{3,})(.*)/.exec(part)?.[1]?.trim() ?? '';
}
