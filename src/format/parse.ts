/**
 * The `*.nb.md` codec's reader (DESIGN §2; docs/format.md is the user-facing version).
 *
 * - A file may start with a BOM (kept, see `Notebook.bom`). Line endings `\n`, `\r\n` and `\r` are
 *   kept as written in every `raw` and `source`.
 * - Front matter: YAML between a first line `---` and the next `---` line. Known keys: title,
 *   description, tags, owner, params, schedule, timeout (a duration). Unknown keys are kept in
 *   `data` and warned about. A missing closing `---` is an error.
 * - Params: `name: {type, default?, enum?, min?, max?, description?}` or `name: default` (type
 *   inferred: number, boolean, `YYYY-MM-DD` -> date, else string). Bad specs are errors.
 * - Cells: a CommonMark fenced block (``` or ~~~, 3+ long, indented 0-3 spaces) whose info string
 *   starts with ts, typescript, js, javascript or sql is a code cell; the rest of the info string
 *   is `key=value` attributes (name, connection, echo, run, timeout; `"…"` values with `\"`, `\\`).
 *   Unknown attributes warn; malformed ones are errors. An unterminated code fence is an error;
 *   other fences follow CommonMark and are prose.
 * - Prose: the non-empty text between code cells is one prose cell. `${expr}` interpolates;
 *   `\${` is literal; `${` inside code spans and fenced blocks is text; an unclosed `${` is an error.
 * - Ids: the `name` attribute, else `cell-<n>` (n = 1-based position among all cells).
 * - The only exception thrown is NotebookParseError (1-based line and column).
 */
import { scanCells } from './cells.js';
import { parseFrontMatter } from './front-matter.js';
import { LineIndex, splitLines } from './lines.js';
import type { FormatWarning, Notebook, ParseResult } from './types.js';

const BOM = '\uFEFF';

export function parseNotebook(input: string, options: { path?: string } = {}): ParseResult {
  const bom = input.startsWith(BOM);
  const text = bom ? input.slice(1) : input;
  const lines = splitLines(text);
  const index = new LineIndex(lines);
  const warnings: FormatWarning[] = [];
  const frontMatter = parseFrontMatter(text, lines, index, warnings, options.path);
  const bodyStart = frontMatter?.raw.length ?? 0;
  const firstBodyLine = frontMatter ? lines.findIndex((l) => l.start >= bodyStart) : 0;
  const cells = scanCells(
    { text, lines, index, warnings, path: options.path },
    firstBodyLine === -1 ? lines.length : firstBodyLine,
  );
  const notebook: Notebook = { cells };
  if (options.path !== undefined) notebook.path = options.path;
  if (bom) notebook.bom = true;
  if (frontMatter) notebook.frontMatter = frontMatter;
  return { notebook, warnings };
}
