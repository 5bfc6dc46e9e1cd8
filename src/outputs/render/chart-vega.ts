/**
 * A Vega-Lite spec as an SVG string through vega's headless View (`renderer: 'none'`). This runs
 * only inside the chart worker (chart-worker.ts), never on the host's main thread: a spec is user
 * input, and vega runs timers and fire-and-forget promises that could otherwise end the process.
 *
 * The spec may not make the process load anything: the loader refuses every URL (`data.url`,
 * lookups, image marks) before any file is opened or connection made, and the worker removes
 * `fetch` from its realm as a second wall. Links (`href` encodings) are the one URL a chart keeps,
 * and only http(s) and mailto ones; the host's sanitizer checks them again.
 */
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';

/** vega and vega-lite, loaded once per worker. */
export interface VegaLibs {
  vega: typeof Vega;
  vl: typeof VegaLite;
}

/** The refusal every load gets; tests look for it to prove that this loader, not vega's, answered. */
export const URL_REFUSAL = 'charts in exports cannot load data from URLs; inline the data in the spec';

const LINK_SCHEME = /^(https?|mailto):/i;

function refuse(): Promise<never> {
  return Promise.reject(new Error(URL_REFUSAL));
}

/**
 * vega's SVG string renderer calls `sanitize(uri, {context: 'href'})` for a link and, when that
 * rejects, dereferences `null` in a `.then` nobody catches (vega-scenegraph 5's `href()`): an
 * unhandled rejection that ends a Node process. So a link is never rejected: a safe one resolves to
 * itself, anything else to no URL at all (the mark is drawn without a link).
 */
function sanitize(uri: unknown, options?: { context?: string }): Promise<{ href: string | null }> {
  if (options?.context !== 'href') return refuse();
  const href = typeof uri === 'string' && LINK_SCHEME.test(uri.trim()) ? uri.trim() : null;
  return Promise.resolve({ href });
}

function lockedLoader(vega: typeof Vega): Vega.Loader {
  const loader = vega.loader();
  const locked = loader as unknown as Record<string, unknown>;
  locked.load = refuse;
  locked.http = refuse;
  locked.file = refuse;
  locked.fileAccess = false;
  locked.sanitize = sanitize;
  return loader;
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
    // vega: warn('Loading failed', url, error)
    if (args[0] === 'Loading failed')
      errors.push(`could not load ${String(args[1])}: ${describe(args.slice(2))}`);
    return logger;
  };
  return logger;
}

/** Vega-Lite's compile warnings would go to the console; a report has no use for them. */
const quietLogger = {
  level() {
    return quietLogger;
  },
  warn() {
    return quietLogger;
  },
  info() {
    return quietLogger;
  },
  debug() {
    return quietLogger;
  },
  error() {
    return quietLogger;
  },
};

/** Loaded once per worker; the first chart pays for it. */
export async function loadVega(): Promise<VegaLibs> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  return { vega, vl };
}

export async function specToSvg(libs: VegaLibs, spec: unknown): Promise<string> {
  const { vega, vl } = libs;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new Error('a Vega-Lite spec is an object');
  const compiled = vl.compile(spec as Parameters<typeof vl.compile>[0], { logger: quietLogger }).spec;
  const errors: string[] = [];
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    loader: lockedLoader(vega),
    logger: collectingLogger(vega, errors),
  });
  try {
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(errors.join('; '));
    return svg;
  } finally {
    view.finalize();
  }
}
