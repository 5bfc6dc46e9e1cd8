/**
 * The in-memory shape of a `*.nb.md` notebook (DESIGN §2). Pure data: no I/O here.
 *
 * Every cell keeps the exact text it was parsed from (`raw`), so that serializing an unchanged
 * notebook is byte-identical and an edit rewrites only the edited cell.
 */

import type { CodeLanguage } from '../protocol/languages.js';

/** The languages live in one table (src/protocol/languages.ts). */
export type { CodeLanguage };

export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'datetime';

/** A param value after validation. `date` is `YYYY-MM-DD`, `datetime` an ISO-8601 string. */
export type ParamValue = string | number | boolean;

/** One declared param, normalized from either the long form or the `name: default` shorthand. */
export interface ParamSpec {
  name: string;
  type: ParamType;
  default?: ParamValue;
  enum?: ParamValue[];
  min?: number;
  max?: number;
  description?: string;
}

/** A position in the notebook file: 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A non-fatal finding of the parser (unknown key, unknown attribute, …). */
export interface FormatWarning extends SourcePosition {
  message: string;
  /** the cell the warning is about, when there is one */
  cellId?: string;
}

export interface FrontMatter {
  /** the exact text from the opening `---` to the end of the closing `---` line, newline included */
  raw: string;
  /** the parsed YAML mapping, every key kept (unknown keys too) */
  data: Record<string, unknown>;
  title?: string;
  description?: string;
  tags?: string[];
  owner?: string;
  params: ParamSpec[];
  /** the `schedule` value as written; interpreted by jobs/ */
  schedule?: unknown;
  /** per-cell time limit in milliseconds (front matter `timeout`) */
  timeoutMs?: number;
}

/** Attributes from a code cell's info string (`name=orders echo=false`). */
export interface CellAttributes {
  name?: string;
  connection?: string;
  /** false hides the code in exports */
  echo: boolean;
  /** false: the cell is shown, never run */
  run: boolean;
  timeoutMs?: number;
  /** attributes the format does not know, kept as written */
  extra: Record<string, string>;
}

/** A `${expr}` inside prose or SQL; offsets are into the cell's `source`. */
export interface Interpolation {
  /** the expression text between `${` and the matching `}` */
  expression: string;
  /** offset of `$` in `source` */
  start: number;
  /** offset just past the closing `}` in `source` */
  end: number;
}

interface CellBase {
  /**
   * Stable identity within one parse: the `name` attribute when given, else `cell-<n>` with n the
   * 1-based position of the cell among all cells (prose included) in the document.
   */
  id: string;
  /** the exact text of the cell in the file, fences included */
  raw: string;
  /** 1-based line of the cell's first line in the file */
  line: number;
}

export interface CodeCell extends CellBase {
  kind: 'code';
  language: CodeLanguage;
  /** the info string as written after the fence characters */
  info: string;
  attributes: CellAttributes;
  /** the code between the fences, without the fence lines and with fence indentation removed */
  source: string;
  /** 1-based file line of the first line of `source` (the line after the opening fence) */
  sourceLine: number;
}

export interface ProseCell extends CellBase {
  kind: 'prose';
  /** the Markdown text (same as raw) */
  source: string;
  /** reactive `${…}` interpolations (a `\${` is literal and not listed) */
  interpolations: Interpolation[];
}

export type Cell = CodeCell | ProseCell;

export interface Notebook {
  /** the path the notebook was read from, when known (used in messages) */
  path?: string;
  /** the file started with a byte order mark (U+FEFF); serialization writes it back */
  bom?: boolean;
  frontMatter?: FrontMatter;
  cells: Cell[];
}

export interface ParseResult {
  notebook: Notebook;
  warnings: FormatWarning[];
}
