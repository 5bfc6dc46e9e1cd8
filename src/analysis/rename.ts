/**
 * What renaming a declared name means for a cell that reads it (pure): the cell's source with
 * every free occurrence of the old name written as the new one. A JS cell is rewritten where
 * acorn finds the name free (a parameter or local of the same name is left alone; `{ old }`
 * becomes `{ old: new }`); a TS cell through esbuild's source map, each position checked against
 * the TS text; a SQL cell in its `${…}` and where it reads the name as a table; a prose cell in
 * its `${…}`. A cell whose occurrences cannot all be found for certain is not rewritten at all:
 * the caller says so rather than leave half of a cell renamed.
 */
import type { Node, TaggedTemplateExpression } from 'acorn';
import { simple } from 'acorn-walk';
import type { Cell, CodeCell, ProseCell } from '../format/types.js';
import { CellSourceError, positionAt } from './errors.js';
import { parseExpression, parseProgram } from './parse.js';
import { findFreeIdentifiers, type FreeIdentifier } from './references.js';
import { positionsFromMappings } from './sourcemap.js';
import { tokenizeSql, type SqlToken } from './sql-lexer.js';
import { findTableCandidateTokens } from './sql-tables.js';
import { compileSqlTemplate } from './sql-template.js';
import { transpileTs } from './transpile.js';
import { CELL_LANGUAGES } from '../protocol/languages.js';

export type RenameRewrite =
  | { kind: 'unchanged' }
  | { kind: 'rewritten'; source: string; occurrences: number }
  /** the cell reads the name, but not every occurrence could be found for certain */
  | { kind: 'unsafe'; reason: string };

interface Replacement {
  start: number;
  end: number;
  text: string;
}

/** The cell's source with `from` renamed to `to` wherever the cell reads it. */
export function renameReferences(cell: Cell, from: string, to: string): RenameRewrite {
  try {
    const replacements =
      cell.kind === 'prose'
        ? proseReplacements(cell, from, to)
        : CELL_LANGUAGES[cell.language].compiler === 'sql'
          ? sqlReplacements(cell.source, from, to)
          : CELL_LANGUAGES[cell.language].typescript
            ? tsReplacements(cell, from, to)
            : jsReplacements(cell.source, from, to);
    if (replacements.length === 0) return { kind: 'unchanged' };
    return { kind: 'rewritten', source: apply(cell.source, replacements), occurrences: replacements.length };
  } catch (error) {
    if (error instanceof CellSourceError || error instanceof UnsafeRename) {
      return { kind: 'unsafe', reason: error.message };
    }
    throw error;
  }
}

class UnsafeRename extends Error {}

function apply(source: string, replacements: Replacement[]): string {
  let out = '';
  let cursor = 0;
  for (const r of [...replacements].sort((a, b) => a.start - b.start)) {
    if (r.start < cursor) throw new UnsafeRename('overlapping occurrences');
    out += source.slice(cursor, r.start) + r.text;
    cursor = r.end;
  }
  return out + source.slice(cursor);
}

const identifierText = (found: FreeIdentifier, from: string, to: string): string =>
  found.shorthand ? `${from}: ${to}` : to;

/**
 * Where positions of the parsed JavaScript are in the cell's own text: the same for JS; for TS
 * through the source map (see tsReplacements). Each throws UnsafeRename when it cannot tell.
 */
interface Locate {
  /** the cell-text offset of the name written at `start` of the code */
  identifier(start: number, name: string): number;
  /** for one sql`…` template: the cell-text offset of a code offset inside one of its quasis */
  template(node: TaggedTemplateExpression): (offset: number) => number;
}

const SAME: Locate = { identifier: (start) => start, template: () => (offset) => offset };

/** Free identifiers of the program, plus the table names of its sql`…` templates. */
function jsReplacements(code: string, from: string, to: string, locate: Locate = SAME): Replacement[] {
  const program = parseProgram(code);
  const found = findFreeIdentifiers(program, from).map((f) => {
    const start = locate.identifier(f.start, from);
    return { start, end: start + from.length, text: identifierText(f, from, to) };
  });
  return [...found, ...sqlTemplateReplacements(program, code, from, to, locate)];
}

function sqlTemplateReplacements(
  program: Node,
  code: string,
  from: string,
  to: string,
  locate: Locate,
): Replacement[] {
  const out: Replacement[] = [];
  simple(program, {
    TaggedTemplateExpression(node: TaggedTemplateExpression) {
      if (node.tag.type !== 'Identifier' || node.tag.name !== 'sql') return;
      // The quasis at their places, the `${…}` between them blanked: positions stay those of `code`.
      const { start, end } = node.quasi;
      let text = ' '.repeat(end - start);
      for (const quasi of node.quasi.quasis) {
        const raw = code.slice(quasi.start, quasi.end);
        text = text.slice(0, quasi.start - start) + raw + text.slice(quasi.end - start);
      }
      const tokens = tableTokens(text, from);
      if (tokens.length === 0) return;
      const at = locate.template(node);
      for (const token of tokens) {
        const tokenStart = at(start + token.start);
        out.push({
          start: tokenStart,
          end: tokenStart + token.end - token.start,
          text: tableText(token, to),
        });
      }
    },
  });
  return out;
}

/**
 * A TS cell: the JavaScript's occurrences taken back to the TS. An identifier through the source
 * map (esbuild maps each one it copies); a sql`…` template through its tag's mapping and its text,
 * which esbuild copies as written. Every position is checked against the TS text; one that does not
 * read the name makes the rename unsafe for this cell.
 */
function tsReplacements(cell: CodeCell, from: string, to: string): Replacement[] {
  const { code, mappings } = transpileTs(cell.source);
  const source = cell.source;
  let positions: Map<string, [number, number]> | undefined;
  let lineStarts: number[] | undefined;
  const mapped = (offset: number): number | undefined => {
    positions ??= positionsFromMappings(mappings);
    lineStarts ??= starts(source);
    const { line, column } = positionAt(code, offset);
    const found = positions.get(`${line - 1}:${column - 1}`);
    return found ? (lineStarts[found[0]] ?? NaN) + found[1] : undefined;
  };
  const unsafe = (offset: number) =>
    new UnsafeRename(
      `\`${from}\` at line ${positionAt(code, offset).line} could not be found in the TypeScript`,
    );
  const locate: Locate = {
    identifier(start, name) {
      const at = mapped(start);
      if (at === undefined || !isWordAt(source, at, name)) throw unsafe(start);
      return at;
    },
    template(node) {
      // The TS template: right after its tag, its quasis in order, each as the JS has it.
      const tag = mapped(node.tag.start);
      let cursor = tag === undefined ? -1 : source.indexOf('`', tag);
      const quasiStarts = new Map<number, number>();
      for (const [i, quasi] of node.quasi.quasis.entries()) {
        const raw = code.slice(quasi.start, quasi.end);
        const at = cursor === -1 ? -1 : source.indexOf(raw, cursor + (i === 0 ? 1 : 0));
        if (at === -1 || (i === 0 && at !== cursor + 1)) throw unsafe(node.start);
        quasiStarts.set(quasi.start, at);
        cursor = at + raw.length;
      }
      return (offset) => {
        const quasi = node.quasi.quasis.find((q) => q.start <= offset && offset < q.end);
        const base = quasi && quasiStarts.get(quasi.start);
        if (base === undefined) throw unsafe(offset);
        return base + offset - quasi!.start;
      };
    },
  };
  const replacements = jsReplacements(code, from, to, locate);
  for (const r of replacements) {
    const written = source.slice(r.start, r.end);
    if (written !== from && written !== `"${from}"`) throw unsafe(0);
  }
  return replacements;
}

/** `name` anywhere in `text` as a whole word (a cell that does not parse may still read it). */
export function mentionsName(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1))
    if (isWordAt(text, at, name)) return true;
  return false;
}

/** `name` written at `at` of `text` as a whole word. */
function isWordAt(text: string, at: number, name: string): boolean {
  return text.startsWith(name, at) && !isWordChar(text[at - 1]) && !isWordChar(text[at + name.length]);
}

/** A SQL cell: the names in its `${…}`, and where it reads the name as a table. */
function sqlReplacements(source: string, from: string, to: string): Replacement[] {
  const { parameters } = compileSqlTemplate(source);
  const out: Replacement[] = [];
  // The text with each `${…}` blanked out: table names are found at their places in the source.
  let masked = source;
  for (const parameter of parameters) {
    const dollar = parameter.start - 2;
    masked = masked.slice(0, dollar) + ' '.repeat(parameter.end - dollar) + masked.slice(parameter.end);
    out.push(...expressionReplacements(source, parameter.start, from, to));
  }
  for (const token of tableTokens(masked, from)) {
    out.push({ start: token.start, end: token.end, text: tableText(token, to) });
  }
  return out;
}

function proseReplacements(cell: ProseCell, from: string, to: string): Replacement[] {
  return cell.interpolations.flatMap((i) => expressionReplacements(cell.source, i.start + 2, from, to));
}

function expressionReplacements(text: string, start: number, from: string, to: string): Replacement[] {
  const node = parseExpression(text, start);
  return findFreeIdentifiers(node, from).map((f) => ({
    start: f.start,
    end: f.end,
    text: identifierText(f, from, to),
  }));
}

interface TableToken {
  start: number;
  end: number;
  quoted: boolean;
}

/**
 * Where `sql` reads `name` as a table (a quoted identifier too), and, when it does, where it
 * qualifies a column with it (`orders.total`): those name the same table.
 */
function tableTokens(sql: string, name: string): TableToken[] {
  const toToken = (token: SqlToken): TableToken => ({
    start: token.start,
    end: token.start + token.text.length,
    quoted: token.kind === 'quoted',
  });
  const tables = findTableCandidateTokens(sql).filter((token) => token.value === name);
  if (tables.length === 0) return [];
  const tokens = tokenizeSql(sql);
  const qualifiers = tokens.filter(
    (token, i) =>
      (token.kind === 'word' || token.kind === 'quoted') &&
      token.value === name &&
      tokens[i + 1]?.text === '.' &&
      !tables.some((table) => table.start === token.start),
  );
  return [...tables, ...qualifiers].map(toToken);
}

const tableText = (token: TableToken, to: string): string => (token.quoted ? `"${to}"` : to);

function starts(text: string): number[] {
  const result = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') result.push(i + 1);
  return result;
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\w$]/.test(char);
}
