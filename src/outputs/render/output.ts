/**
 * One output as an HTML fragment for reports and exports. Host side. Total: whatever the data, the
 * answer is markup (the output, or an error box naming the cell and why), never a throw.
 */
import { escapeHtml } from '../escape.js';
import { renderMarkdown } from '../markdown.js';
import { normalizeOutput } from '../normalize.js';
import { sanitizeHtml } from '../sanitize.js';
import { MIME, type ErrorData, type Output, type StreamData, type TableData } from '../types.js';
import { chartError, renderChart, type ChartContext } from './chart.js';
import { renderError } from './error.js';
import { renderTable } from './table.js';

function pre(text: string, cls: string): string {
  return `<pre class="${cls}">${escapeHtml(text)}</pre>`;
}

function renderStream(stream: StreamData): string {
  return pre(stream.text, stream.name === 'stderr' ? 'q-stream q-stderr' : 'q-stream q-stdout');
}

function unknownMime(mime: string): string {
  return `<p class="q-note">An output of type <code>${escapeHtml(mime)}</code> cannot be shown in this export.</p>`;
}

/** Where the output is (the cell, for error messages) and the budget for charts. */
export type OutputContext = ChartContext;

function renderFailed(mime: string, error: unknown, cell: string | undefined): string {
  const reason = error instanceof Error ? error.message : String(error);
  if (mime === MIME.vegalite) return chartError(reason, cell);
  const where = cell ? ` in ${cell}` : '';
  return renderError({
    name: 'Output error',
    message: `an output of type ${mime}${where} could not be shown: ${reason}`,
  });
}

/** The HTML for one output. Markup is sanitized again here, so an unprepared output is still safe. */
export async function renderOutputHtml(output: Output, context: OutputContext = {}): Promise<string> {
  let mime = 'unknown';
  try {
    mime = typeof output?.mime === 'string' ? output.mime : mime;
    return await renderKnown(output, context);
  } catch (error) {
    return renderFailed(mime, error, context.cell);
  }
}

async function renderKnown(output: Output, context: OutputContext): Promise<string> {
  const { mime, data } = normalizeOutput(output);
  switch (mime) {
    case MIME.text:
      return pre(data as string, 'q-text');
    case MIME.stream:
      return renderStream(data as StreamData);
    case MIME.table:
      return renderTable(data as TableData);
    case MIME.vegalite:
      return renderChart(data, context);
    case MIME.html:
      return `<div class="q-html">${sanitizeHtml(data as string)}</div>`;
    case MIME.svg:
      return `<figure class="q-svg">${sanitizeHtml(data as string)}</figure>`;
    case MIME.markdown:
      return `<div class="q-markdown">${renderMarkdown(data as string)}</div>`;
    case MIME.json:
      return pre(JSON.stringify(data, null, 2) ?? 'undefined', 'q-json');
    case MIME.error:
      return renderError(data as ErrorData);
    default:
      return unknownMime(mime);
  }
}
