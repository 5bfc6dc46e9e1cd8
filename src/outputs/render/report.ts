/**
 * A finished run as ONE self-contained HTML document (DESIGN §4 `report.html`): inline CSS, inline
 * SVG charts, no script and no external URL, so it opens offline, prints, and follows the reader's
 * light/dark preference. Output is deterministic for a given input (golden-tested).
 */
import { escapeHtml } from '../escape.js';
import { redactDeep, type Redactor } from '../redact.js';
import { formatDuration, formatTimestamp, formatValue } from './format.js';
import type { ChartBudget } from './chart-sandbox.js';
import { renderCell } from './report-cells.js';
import { REPORT_CSS } from './report-style.js';
import type { ReportInput } from './report-types.js';

export type { ReportCell, ReportInput } from './report-types.js';

export interface ReportOptions {
  /** applied to every string of the input (sources, params, outputs) before rendering */
  redactor?: Redactor;
  /** the time and size budget of each chart (chart-sandbox.ts has the defaults) */
  charts?: Partial<ChartBudget>;
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

export async function renderReport(input: ReportInput, options: ReportOptions = {}): Promise<string> {
  const run = options.redactor ? (redactDeep(input, options.redactor) as ReportInput) : input;
  // In order, one at a time: charts are the slow part and need not all be in memory at once.
  const context = {
    ...(options.charts ? { budget: options.charts } : {}),
    ...(options.onTransientFailure ? { onTransientFailure: options.onTransientFailure } : {}),
  };
  const cells: string[] = [];
  for (const cell of Array.isArray(run.cells) ? run.cells : []) cells.push(await renderCell(cell, context));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="generator" content="Quire">',
    `<title>${escapeHtml(String(run.title))}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main class="q-report">',
    safeHeader(run),
    ...cells,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
