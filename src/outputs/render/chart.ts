/**
 * A Vega-Lite spec as inline SVG, without a browser: compile to Vega, run a headless View, ask for
 * SVG. vega and vega-lite are imported lazily: they are large, and only exports need them.
 * Charts in a report must not reach the network or the disk, so the loader refuses every URL.
 */
import type * as Vega from 'vega';
import { sanitizeHtml } from '../sanitize.js';
import { renderError } from './error.js';

function refuse(): Promise<never> {
  return Promise.reject(
    new Error('charts in exports cannot load data from URLs; inline the data in the spec'),
  );
}

function describe(args: readonly unknown[]): string {
  return args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
}

/**
 * Vega logs a failed data load as a warning and renders an empty chart; an empty chart in a
 * report would look like "no data", so those (and errors) are collected to fail instead.
 */
function collectingLogger(vega: typeof Vega, errors: string[]) {
  const logger = vega.logger(vega.Error);
  logger.error = (...args: readonly unknown[]) => {
    errors.push(describe(args));
    return logger;
  };
  logger.warn = (...args: readonly unknown[]) => {
    if (args[0] === 'Loading failed') errors.push(describe(args));
    return logger;
  };
  return logger;
}

async function specToSvg(spec: unknown): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec as Parameters<typeof vl.compile>[0]).spec;
  const loader = vega.loader();
  loader.load = refuse;
  loader.sanitize = refuse;
  const errors: string[] = [];
  const logger = collectingLogger(vega, errors);
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader, logger });
  try {
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(errors.join('; '));
    return svg;
  } finally {
    view.finalize();
  }
}

/** The chart as `<figure>` with SVG, or an error box when the spec does not compile or render. */
export async function renderChart(spec: unknown): Promise<string> {
  try {
    // Vega escapes text marks, but the SVG still goes through the policy: a spec is user input.
    return `<figure class="q-chart">${sanitizeHtml(await specToSvg(spec))}</figure>`;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return renderError({
      name: 'Chart error',
      message: `this Vega-Lite spec could not be rendered: ${message}`,
    });
  }
}
