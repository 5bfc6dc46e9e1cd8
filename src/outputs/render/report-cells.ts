/** One cell of a report as HTML: prose rendered from Markdown, code with its header, code, outputs. */
import { escapeHtml } from '../escape.js';
import { renderMarkdown } from '../markdown.js';
import { sanitizeHtml } from '../sanitize.js';
import { MIME, type ErrorData, type Output } from '../types.js';
import { renderError } from './error.js';
import { formatDuration } from './format.js';
import { renderOutputHtml } from './output.js';
import type { ReportCell } from './report-types.js';

const LANGUAGE_LABEL: Record<string, string> = { ts: 'TypeScript', js: 'JavaScript', sql: 'SQL' };

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
  const parts = [
    `<span class="q-lang">${escapeHtml(LANGUAGE_LABEL[cell.language ?? ''] ?? cell.language ?? 'code')}</span>`,
  ];
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

async function renderCode(cell: ReportCell): Promise<string> {
  const code = cell.echo ? `<pre class="q-code"><code>${escapeHtml(cell.source)}</code></pre>` : '';
  const outputs = await Promise.all(cell.outputs.map(renderOutputHtml));
  const tail = cell.status === 'skipped' ? skippedNote(cell) : errorBox(cell.error, cell.outputs);
  const body = outputs.length > 0 || tail ? `<div class="q-outputs">${outputs.join('\n')}${tail}</div>` : '';
  const status = cell.status ? ` q-cell-${escapeHtml(cell.status)}` : '';
  const open = `<section class="q-cell q-code-cell${status}" id="cell-${escapeHtml(cell.id)}">`;
  return [open, cellHead(cell), code, body, '</section>'].filter(Boolean).join('\n');
}

export async function renderCell(cell: ReportCell): Promise<string> {
  return cell.kind === 'prose' ? renderProse(cell) : renderCode(cell);
}
