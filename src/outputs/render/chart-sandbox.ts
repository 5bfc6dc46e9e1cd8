/**
 * Renders Vega-Lite specs to SVG in a child process (chart-child.ts, started as chart-launch.ts
 * says) under a budget, so that no spec can take the host down or hold it: the process has its own
 * heap limit, a chart past its time is stopped by killing the process, and a process that dies (a
 * stray vega rejection, out of memory) only fails the chart it was drawing. The next chart gets a
 * fresh process. (Not a worker thread: a worker that runs out of memory can abort the whole
 * process, nodejs/node#47224.)
 *
 * One process, one chart at a time (charts queue): rendering is CPU-bound, and a report renders
 * its cells in order anyway. The process does not keep the host alive while idle and ends after a
 * while without work. `renderChartSvg` never rejects: it answers `{svg}` or `{error}`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { killGroup, track, untrack } from '../../kernel/reaper.js';
import type { ChartReply, ChartRequest } from './chart-child.js';
import { chartEntry, chartIsolation, chartLaunchPlan } from './chart-launch.js';

export interface ChartBudget {
  /** how long one chart may take to render, once the process is up (default 10 s) */
  timeoutMs: number;
  /** the largest SVG a chart may produce (default 4 MiB) */
  maxSvgBytes: number;
}

export const DEFAULT_CHART_BUDGET: ChartBudget = { timeoutMs: 10_000, maxSvgBytes: 4 * 2 ** 20 };

/** The chart process's V8 heap limit: vega with a few MB of data stays far below it. */
export const CHART_HEAP_MB = 256;
/** Starting Node and loading vega; generous, since a busy machine is slow to start a process. */
const STARTUP_TIMEOUT_MS = 60_000;
/** An idle chart process ends after this; the next chart starts a new one. */
const IDLE_MS = 30_000;
const STDERR_TAIL_CHARS = 4096;

export type ChartResult =
  | { svg: string }
  | {
      error: string;
      /**
       * true when the failure is about this attempt, not the spec (time budget, a process that
       * could not start): the same spec may render another time, so such a result is not kept.
       */
      transient: boolean;
    };

interface Running {
  child: ChildProcess;
  ready: Promise<void>;
  /** why the process is gone, once it is */
  ended: Promise<string>;
  maxSvgBytes: number;
}

let running: Running | undefined;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 1;
let idleTimer: NodeJS.Timeout | undefined;

/** Why the process ended, in the words of the chart's error box. */
function deathReason(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  if (/heap out of memory|Allocation failed|heap limit/i.test(stderr))
    return `it needed more than the ${CHART_HEAP_MB} MB of memory a chart may use`;
  const last = stderr.trim().split('\n').slice(-3).join(' ').slice(-300);
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  return `the chart renderer stopped (${how})${last ? `: ${last}` : ''}`;
}

/** The process keeps the host alive only while a chart is in flight (the CLI awaits it). */
function hold(child: ChildProcess, busy: boolean): void {
  type Handle = { ref?: () => void; unref?: () => void } | null | undefined;
  // The process, its IPC channel and its stderr pipe each keep the event loop alive.
  const handles: Handle[] = [child, child.channel as Handle, child.stderr as Handle];
  for (const handle of handles) (busy ? handle?.ref : handle?.unref)?.call(handle);
}

function spawnChart(maxSvgBytes: number): Running {
  const entry = chartEntry();
  const plan = chartLaunchPlan({
    entry,
    config: { maxSvgChars: maxSvgBytes },
    heapMb: CHART_HEAP_MB,
    ...chartIsolation(entry),
  });
  const child = spawn(plan.execPath, plan.args, {
    cwd: plan.cwd,
    env: plan.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Its own process group, so that killGroup ends it whatever it started.
    detached: true,
    ...(plan.uid === undefined ? {} : { uid: plan.uid, gid: plan.gid }),
  });
  track(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
  });
  const ended = new Promise<string>((resolve) => {
    child.on('error', (error) => {
      if (child.pid === undefined) resolve(`the chart renderer could not start: ${error.message}`);
    });
    child.on('exit', (code, signal) => {
      untrack(child);
      if (running?.child === child) running = undefined;
      // stderr may still be draining: 'close' comes once it has.
      child.once('close', () => resolve(deathReason(code, signal, stderr)));
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (reply: ChartReply) => {
      if (reply?.type !== 'ready') return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    void ended.then((why) => reject(new Error(why)));
  });
  ready.catch(() => undefined);
  return { child, ready, ended, maxSvgBytes };
}

function stop(target: Running): void {
  if (running === target) running = undefined;
  killGroup(target.child);
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

async function started(target: Running): Promise<string | undefined> {
  const startup = after(STARTUP_TIMEOUT_MS, `it did not start in ${seconds(STARTUP_TIMEOUT_MS)}`);
  const problem = await Promise.race([
    target.ready.then(
      () => undefined,
      (error: Error) => error.message,
    ),
    startup.promise,
  ]);
  startup.cancel();
  return problem;
}

async function renderOne(specJson: string, budget: ChartBudget): Promise<ChartResult> {
  clearTimeout(idleTimer);
  if (running && running.maxSvgBytes !== budget.maxSvgBytes) stop(running);
  const target = (running ??= spawnChart(budget.maxSvgBytes));
  hold(target.child, true);
  try {
    const problem = await started(target);
    if (problem !== undefined) {
      stop(target);
      return { error: `the chart renderer is not available: ${problem}`, transient: true };
    }
    const id = nextId++;
    const reply = new Promise<ChartReply>((resolve) => {
      const onMessage = (message: ChartReply) => {
        if (message?.type === 'ready' || message?.id !== id) return;
        target.child.off('message', onMessage);
        resolve(message);
      };
      target.child.on('message', onMessage);
    });
    const limit = after(budget.timeoutMs, 'timeout' as const);
    target.child.send({ id, spec: specJson } satisfies ChartRequest);
    const outcome = await Promise.race([reply, target.ended.then((why) => ({ ended: why })), limit.promise]);
    limit.cancel();
    if (outcome === 'timeout') {
      stop(target);
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
    if (running === target) hold(target.child, false);
    idleTimer = setTimeout(() => {
      if (running) stop(running);
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

/** Ends the chart process now (a server closing, a test finishing); the next chart starts a new one. */
export function stopChartRenderer(): void {
  clearTimeout(idleTimer);
  if (running) stop(running);
}
