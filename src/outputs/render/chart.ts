/**
 * A Vega-Lite spec as inline SVG for reports and exports, without a browser. The rendering itself
 * happens in a child process under a time and size budget (chart-sandbox.ts, chart-vega.ts); this
 * module turns its answer into markup: a sanitized `<figure>`, or an error box naming the cell and why.
 */
import { sanitizeHtml } from '../sanitize.js';
import { DEFAULT_CHART_BUDGET, renderChartSvg, type ChartBudget } from './chart-sandbox.js';
import { renderError } from './error.js';

export interface ChartContext {
  /** how the error box names the cell (`cell "chart"`); omitted, it names none */
  cell?: string;
  budget?: Partial<ChartBudget>;
  /**
   * The time (epoch ms) by which every chart of the report must be done: one chart's time limit
   * never runs past it, and a chart asked for after it is not drawn. A report of fifty charts that
   * each take their full time would otherwise hold the one chart renderer (and its reader) for long.
   */
  deadline?: number;
  /** told about a chart that failed for this attempt only (a time limit), not because of its spec */
  onTransientFailure?: (reason: string) => void;
}

/**
 * vega writes links as `xlink:href`, which the sanitizer's allowlist does not know; SVG 2 reads a
 * plain `href`, whose scheme the sanitizer checks. Text content cannot match: vega escapes `<`.
 */
function plainLinks(svg: string): string {
  return svg.replace(/<a xlink:href="/g, '<a href="');
}

export function chartError(reason: string, cell?: string): string {
  const where = cell ? ` in ${cell}` : '';
  return renderError({
    name: 'Chart error',
    message: `the Vega-Lite chart${where} could not be rendered: ${reason}`,
  });
}

/** The chart as `<figure>` with SVG, or an error box when the spec does not compile or render. */
export async function renderChart(spec: unknown, context: ChartContext = {}): Promise<string> {
  const timeoutMs = context.budget?.timeoutMs ?? DEFAULT_CHART_BUDGET.timeoutMs;
  const left = context.deadline === undefined ? timeoutMs : context.deadline - Date.now();
  if (left <= 0) {
    const reason = 'not drawn: the charts before it used up the time this report may spend on charts';
    context.onTransientFailure?.(reason);
    return chartError(reason, context.cell);
  }
  const result = await renderChartSvg(spec, { ...context.budget, timeoutMs: Math.min(timeoutMs, left) });
  if ('error' in result) {
    if (result.transient) context.onTransientFailure?.(result.error);
    return chartError(result.error, context.cell);
  }
  // Vega escapes text marks, but the SVG still goes through the policy: a spec is user input.
  return `<figure class="q-chart">${sanitizeHtml(plainLinks(result.svg))}</figure>`;
}
