/**
 * A finished run as ONE self-contained HTML document (DESIGN §4 `report.html`): inline CSS, inline
 * SVG charts, no script and no external URL, so it opens offline, prints, and follows the reader's
 * light/dark preference. Output is deterministic for a given input (golden-tested).
 */
import { escapeHtml } from '../escape.js';
import { redactDeep, type Redactor } from '../redact.js';
import { formatDuration, formatTimestamp, formatValue } from './format.js';
import type { ChartBudget } from './chart-sandbox.js';
import { brokenCell, renderCell } from './report-cells.js';
import { renderError } from './error.js';
import { REPORT_CSS } from './report-style.js';
import type { ReportCell, ReportInput } from './report-types.js';
export type { ReportCell, ReportInput } from './report-types.js';

export const DEFAULT_CHARTS_TOTAL_MS = 60_000;

export interface ReportOptions {
  /** applied to every string of the input (sources, params, outputs) before rendering */
  redactor?: Redactor;
  /** the time and size budget of each chart (chart-sandbox.ts has the defaults) */
  charts?: Partial<ChartBudget>;
  /** how long all the report's charts together may take (default 60 s); later charts are not drawn */
  chartsTotalMs?: number;
  /**
   * told when a chart failed for this rendering only (its time limit passed), not because of its
   * spec: rendering again may give a different report, so a caller keeping reports should not keep it
   */
  onTransientFailure?: (reason: string) => void;
}

function keyValueTable(entries: [string, unknown][], cls: string, heads: [string, string]): string {
  const rows = entries.map(
    ([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(formatValue(v))}</td></tr>`,
  );
  const head = `<thead><tr><th scope="col">${heads[0]}</th><th scope="col">${heads[1]}</th></tr></thead>`;
  return `<table class="${cls}">${head}<tbody>${rows.join('')}</tbody></table>`;
}

function paramsSection(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return '<p class="q-muted">No parameters.</p>';
  return keyValueTable(entries, 'q-params', ['Parameter', 'Value']);
}

function runtimeSection(runtime: Record<string, unknown> | undefined): string {
  if (!runtime || Object.keys(runtime).length === 0) return '';
  const table = keyValueTable(Object.entries(runtime), 'q-params', ['Component', 'Version']);
  return `<details class="q-runtime"><summary>Runtime</summary>${table}</details>`;
}

function header(input: ReportInput): string {
  const status = escapeHtml(input.status);
  return [
    '<header class="q-header">',
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p class="q-path"><code>${escapeHtml(input.notebookPath)}</code></p>`,
    '<dl class="q-meta">',
    `<div><dt>Status</dt><dd><span class="q-badge q-badge-${status}">${status}</span></dd></div>`,
    `<div><dt>Started</dt><dd><time datetime="${escapeHtml(input.startedAt)}">${escapeHtml(formatTimestamp(input.startedAt))}</time></dd></div>`,
    `<div><dt>Duration</dt><dd>${formatDuration(input.durationMs)}</dd></div>`,
    '</dl>',
    paramsSection(input.params),
    runtimeSection(input.runtime),
    '</header>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The header, or a plain one when the record's fields are not what they should be. */
function safeHeader(input: ReportInput): string {
  try {
    return header(input);
  } catch {
    return `<header class="q-header">\n<h1>${escapeHtml(String(input.title))}</h1>\n</header>`;
  }
}

/** Each cell redacted on its own: a cell that cannot be checked for secrets is not shown at all. */
async function renderCells(cells: unknown, options: ReportOptions): Promise<string[]> {
  const context = {
    deadline: Date.now() + (options.chartsTotalMs ?? DEFAULT_CHARTS_TOTAL_MS),
    ...(options.charts ? { budget: options.charts } : {}),
    ...(options.onTransientFailure ? { onTransientFailure: options.onTransientFailure } : {}),
  };
  const out: string[] = [];
  // In order, one at a time: charts are the slow part and need not all be in memory at once.
  for (const [index, cell] of (Array.isArray(cells) ? (cells as ReportCell[]) : []).entries()) {
    let redacted: ReportCell;
    try {
      redacted = options.redactor ? (redactDeep(cell, options.redactor) as ReportCell) : cell;
    } catch (error) {
      // Its id and name are not redacted either, so the message names its position only.
      const why = error instanceof RangeError ? 'it is nested too deeply' : String(error);
      out.push(
        brokenCell(`${index + 1}`, `cell ${index + 1}`, `it could not be checked for secrets: ${why}`),
      );
      continue;
    }
    out.push(await renderCell(redacted, context));
  }
  return out;
}

function document(title: string, body: string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="generator" content="Quire">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main class="q-report">',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * The report. Total: a cell that cannot be shown becomes an error box in its place, and should the
 * whole fail (a record not shaped like one), the answer is still a report that says so.
 */
export async function renderReport(input: ReportInput, options: ReportOptions = {}): Promise<string> {
  try {
    const { cells, ...fields } = input;
    const run = (options.redactor ? redactDeep(fields, options.redactor) : fields) as Omit<
      ReportInput,
      'cells'
    >;
    return document(String(run.title), [
      safeHeader({ ...run, cells: [] }),
      ...(await renderCells(cells, options)),
    ]);
  } catch (error) {
    let reason = 'the run record is not readable';
    try {
      const why = error instanceof Error ? error.message : String(error);
      reason = options.redactor ? options.redactor.redact(why) : why;
    } catch {
      // the generic reason: nothing unredacted is shown
    }
    return document('Report', [
      renderError({ name: 'Report error', message: `this run's report could not be rendered: ${reason}` }),
    ]);
  }
}
