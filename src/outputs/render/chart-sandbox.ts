/**
 * Renders Vega-Lite specs to SVG in a worker thread (chart-worker.ts) under a budget, so that no
 * spec can take the host down or hold it: the worker has its own heap limit, a chart past its time
 * is stopped by terminating the worker, and a worker that dies (a stray vega rejection, out of
 * memory) only fails the chart it was drawing. The next chart gets a fresh worker.
 *
 * One worker, one chart at a time (charts queue): rendering is CPU-bound, and a report renders its
 * cells in order anyway. The worker does not keep the process alive while idle and ends after a
 * while without work. `renderChartSvg` never rejects: it answers `{svg}` or `{error}`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChartReply, ChartRequest, ChartWorkerData } from './chart-worker.js';

export interface ChartBudget {
  /** how long one chart may take to render, once the worker is up (default 10 s) */
  timeoutMs: number;
  /** the largest SVG a chart may produce (default 4 MiB) */
  maxSvgBytes: number;
}

export const DEFAULT_CHART_BUDGET: ChartBudget = { timeoutMs: 10_000, maxSvgBytes: 4 * 2 ** 20 };

/** The worker's own V8 heap limit: vega with a few MB of data stays far below it. */
const WORKER_HEAP_MB = 256;
/** Loading vega into a new worker; generous, since a busy machine is slow to start a thread. */
const STARTUP_TIMEOUT_MS = 60_000;
/** An idle worker ends after this; the next chart starts a new one. */
const IDLE_MS = 30_000;

export type ChartResult =
  | { svg: string }
  | {
      error: string;
      /**
       * true when the failure is about this attempt, not the spec (time budget, a worker that
       * could not start): the same spec may render another time, so such a result is not kept.
       */
      transient: boolean;
    };

/**
 * Where the worker's code is: beside this module (`dist/outputs/render/` from tsc, or
 * `src/outputs/render/` under tsx in tests), else, from the bundled CLI in `dist/bundle/`, the
 * tsc output beside it (`npm run build` makes both).
 */
function workerEntry(): URL {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const sibling = new URL(ts ? './chart-worker.ts' : './chart-worker.js', here);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../outputs/render/chart-worker.js', here);
}

function startWorker(maxSvgBytes: number): Worker {
  const entry = workerEntry();
  const data: ChartWorkerData = { maxSvgChars: maxSvgBytes };
  const options = {
    workerData: data,
    // The host's environment may hold secrets (database URLs, tokens); a chart needs none of it.
    env: {},
    // vega's console output must not reach the CLI's stdout (`--json`) or the server's log.
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 32 },
  };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  // Under tsx (tests run the sources): a worker does not inherit the loader hooks, so it
  // registers tsx itself before importing the TypeScript entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

interface Running {
  worker: Worker;
  ready: Promise<void>;
  /** why the worker is gone, once it is (exit, error) */
  ended: Promise<string>;
  maxSvgBytes: number;
}

let running: Running | undefined;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 1;
let idleTimer: NodeJS.Timeout | undefined;

function spawn(maxSvgBytes: number): Running {
  const worker = startWorker(maxSvgBytes);
  // Drained and dropped: unread, they would buffer in memory.
  worker.stdout.resume();
  worker.stderr.resume();
  let lastError = '';
  const ended = new Promise<string>((resolve) => {
    worker.on('error', (error: Error & { code?: string }) => {
      lastError =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `it needed more than the ${WORKER_HEAP_MB} MB of memory a chart may use`
          : `the chart renderer failed: ${error.message}`;
    });
    worker.on('exit', (code) => {
      if (running?.worker === worker) running = undefined;
      resolve(lastError || `the chart renderer stopped (exit code ${code})`);
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (reply: ChartReply) => {
      if (reply.type !== 'ready') return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
    void ended.then((why) => reject(new Error(why)));
  });
  ready.catch(() => undefined);
  return { worker, ready, ended, maxSvgBytes };
}

async function stop(target: Running): Promise<void> {
  if (running === target) running = undefined;
  await target.worker.terminate();
}

/** Resolves with `fallback` after `ms`; the timer never keeps the process alive. */
function after<T>(ms: number, fallback: T): { promise: Promise<T>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

const seconds = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;

async function renderOne(specJson: string, budget: ChartBudget): Promise<ChartResult> {
  clearTimeout(idleTimer);
  if (running && running.maxSvgBytes !== budget.maxSvgBytes) await stop(running);
  const target = (running ??= spawn(budget.maxSvgBytes));
  // While a chart is in flight the worker keeps the process alive: the CLI awaits it.
  target.worker.ref();
  try {
    const startup = after(STARTUP_TIMEOUT_MS, 'timeout' as const);
    const started = await Promise.race([target.ready.then(() => 'ok' as const), startup.promise]).catch(
      (error: Error) => error.message,
    );
    startup.cancel();
    if (started !== 'ok') {
      await stop(target);
      const why = started === 'timeout' ? `it did not start in ${seconds(STARTUP_TIMEOUT_MS)}` : started;
      return { error: `the chart renderer is not available: ${why}`, transient: true };
    }
    const id = nextId++;
    const reply = new Promise<ChartReply>((resolve) => {
      const onMessage = (message: ChartReply) => {
        if (message.type === 'ready' || message.id !== id) return;
        target.worker.off('message', onMessage);
        resolve(message);
      };
      target.worker.on('message', onMessage);
    });
    const limit = after(budget.timeoutMs, 'timeout' as const);
    target.worker.postMessage({ id, spec: specJson } satisfies ChartRequest);
    const outcome = await Promise.race([reply, target.ended.then((why) => ({ ended: why })), limit.promise]);
    limit.cancel();
    if (outcome === 'timeout') {
      await stop(target);
      return {
        error: `it took longer than ${seconds(budget.timeoutMs)} to render and was stopped`,
        transient: true,
      };
    }
    if ('ended' in outcome) return { error: outcome.ended, transient: false };
    if (outcome.type === 'done' && typeof outcome.svg === 'string') return { svg: outcome.svg };
    if (outcome.type === 'failed') return { error: String(outcome.message), transient: false };
    return { error: 'the chart renderer sent an answer it should not', transient: false };
  } finally {
    if (running === target) target.worker.unref();
    idleTimer = setTimeout(() => {
      if (running) void stop(running);
    }, IDLE_MS);
    idleTimer.unref();
  }
}

/**
 * One chart's SVG, or why there is none. Never rejects and never throws: the spec is user input.
 * Charts render one at a time, in the order asked.
 */
export function renderChartSvg(spec: unknown, budget: Partial<ChartBudget> = {}): Promise<ChartResult> {
  const full = { ...DEFAULT_CHART_BUDGET, ...budget };
  let specJson: string | undefined;
  try {
    specJson = JSON.stringify(spec);
  } catch (error) {
    const why = error instanceof RangeError ? 'it is nested too deeply' : String(error);
    return Promise.resolve({ error: `the spec cannot be read: ${why}`, transient: false });
  }
  if (specJson === undefined)
    return Promise.resolve({ error: 'a Vega-Lite spec is an object', transient: false });
  const json = specJson;
  const result = queue.then(() =>
    renderOne(json, full).catch((error: unknown): ChartResult => ({
      error: `the chart renderer failed: ${error instanceof Error ? error.message : String(error)}`,
      transient: true,
    })),
  );
  queue = result;
  return result;
}

/** Ends the worker now (a server closing, a test finishing); the next chart starts a new one. */
export async function stopChartRenderer(): Promise<void> {
  clearTimeout(idleTimer);
  if (running) await stop(running);
}
