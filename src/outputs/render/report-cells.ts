/** One cell of a report as HTML: prose rendered from Markdown, code with its header, code, outputs. */
import { escapeHtml } from '../escape.js';
import { renderMarkdown } from '../markdown.js';
import { sanitizeHtml } from '../sanitize.js';
import { MIME, type ErrorData, type Output } from '../types.js';
import { renderError } from './error.js';
import { formatDuration } from './format.js';
import { renderOutputHtml, type OutputContext } from './output.js';
import type { ReportCell } from './report-types.js';
import { CELL_LANGUAGES, type CodeLanguage } from '../../protocol/languages.js';

/** A stored record may name a language this version no longer has: then its name is shown. */
const languageLabel = (language: string | undefined): string =>
  language === undefined
    ? 'code'
    : Object.hasOwn(CELL_LANGUAGES, language)
      ? CELL_LANGUAGES[language as CodeLanguage].label
      : language;

/** Prose prefers its rendered output (interpolations filled) over its raw source. */
function renderProse(cell: ReportCell): string {
  const markdown = cell.outputs.find((o) => o.mime === MIME.markdown && typeof o.data === 'string');
  const html = cell.outputs.find((o) => o.mime === MIME.html && typeof o.data === 'string');
  const body = markdown
    ? renderMarkdown(markdown.data as string)
    : html
      ? sanitizeHtml(html.data as string)
      : renderMarkdown(cell.source);
  return `<section class="q-cell q-prose" id="cell-${escapeHtml(cell.id)}">${body}</section>`;
}

function cellHead(cell: ReportCell): string {
  const parts = [`<span class="q-lang">${escapeHtml(languageLabel(cell.language))}</span>`];
  if (cell.name) parts.push(`<code class="q-name">${escapeHtml(cell.name)}</code>`);
  if (cell.status)
    parts.push(`<span class="q-badge q-badge-${escapeHtml(cell.status)}">${escapeHtml(cell.status)}</span>`);
  if (cell.durationMs !== undefined)
    parts.push(`<span class="q-duration">${formatDuration(cell.durationMs)}</span>`);
  return `<div class="q-cell-head">${parts.join(' ')}</div>`;
}

function skippedNote(cell: ReportCell): string {
  const upstream = cell.skippedBecause
    ? `cell <code>${escapeHtml(cell.skippedBecause)}</code>`
    : 'an upstream cell';
  return `<p class="q-skipped">Not run: ${upstream} failed.</p>`;
}

/** The cell's error, unless an error output already shows the same thing. */
function errorBox(error: ErrorData | undefined, outputs: Output[]): string {
  if (!error) return '';
  const shown = outputs.some(
    (o) => o.mime === MIME.error && (o.data as ErrorData | null)?.message === error.message,
  );
  return shown ? '' : renderError(error);
}

/** `cell "orders"` for a named cell, else `cell cell-3` (its id): how error messages name it. */
export function cellLabel(cell: Pick<ReportCell, 'id' | 'name'>): string {
  return cell.name ? `cell "${cell.name}"` : `cell ${cell.id}`;
}

async function renderCode(cell: ReportCell, context: OutputContext): Promise<string> {
  const code = cell.echo ? `<pre class="q-code"><code>${escapeHtml(cell.source)}</code></pre>` : '';
  const outputContext = { ...context, cell: cellLabel(cell) };
  // One at a time, in order: charts queue for one renderer anyway.
  const outputs: string[] = [];
  for (const output of cell.outputs) outputs.push(await renderOutputHtml(output, outputContext));
  const tail = cell.status === 'skipped' ? skippedNote(cell) : errorBox(cell.error, cell.outputs);
  const body = outputs.length > 0 || tail ? `<div class="q-outputs">${outputs.join('\n')}${tail}</div>` : '';
  const status = cell.status ? ` q-cell-${escapeHtml(cell.status)}` : '';
  const open = `<section class="q-cell q-code-cell${status}" id="cell-${escapeHtml(cell.id)}">`;
  return [open, cellHead(cell), code, body, '</section>'].filter(Boolean).join('\n');
}

/**
 * A cell that cannot be shown still takes its place in the report, as an error box. `label` names
 * it in the message (cellLabel), `anchor` is its element id.
 */
export function brokenCell(anchor: string, label: string, reason: string): string {
  const box = renderError({ name: 'Report error', message: `${label} could not be shown: ${reason}` });
  return `<section class="q-cell q-code-cell q-cell-error" id="cell-${escapeHtml(anchor)}">\n${box}\n</section>`;
}

/** Total: a cell that cannot be rendered becomes an error box, and the rest of the report renders. */
export async function renderCell(cell: ReportCell, context: OutputContext = {}): Promise<string> {
  try {
    return cell.kind === 'prose' ? renderProse(cell) : await renderCode(cell, context);
  } catch (error) {
    const id = typeof cell?.id === 'string' ? cell.id : 'unknown';
    const name = typeof cell?.name === 'string' ? cell.name : undefined;
    const reason = error instanceof Error ? error.message : String(error);
    return brokenCell(id, cellLabel({ id, name }), reason);
  }
}
