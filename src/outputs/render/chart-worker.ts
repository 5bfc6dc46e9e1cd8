/**
 * The chart worker: a worker thread that turns Vega-Lite specs into SVG strings, one at a time,
 * for the host's reports (chart-sandbox.ts starts it). Everything vega does happens here, so that
 * nothing a spec does reaches the host's main thread: a throw in a vega timer or a promise nobody
 * catches ends this thread (the host starts a new one), a spec that loops is stopped by the host
 * terminating the thread, and a memory bomb hits this thread's own heap limit.
 *
 * Protocol (structured clone over the worker's port):
 *   host → worker  `{id, spec}`, spec the Vega-Lite spec as JSON text
 *   worker → host  `{type: 'ready'}` once vega is loaded,
 *                  `{type: 'done', id, svg}` or `{type: 'failed', id, message}` per chart
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadVega, specToSvg } from './chart-vega.js';

/** What the host passes as `workerData`. */
export interface ChartWorkerData {
  /** an SVG longer than this (UTF-16 units, about bytes) fails instead of being sent */
  maxSvgChars: number;
}

export interface ChartRequest {
  id: number;
  spec: string;
}

export type ChartReply =
  | { type: 'ready' }
  | { type: 'done'; id: number; svg: string }
  | { type: 'failed'; id: number; message: string };

// No network API in this realm, before vega loads: even a loader vega builds on its own (its
// default one has `fetch` and `fs` behind it) could not reach the network.
for (const name of ['fetch', 'Request', 'Response', 'Headers', 'WebSocket', 'EventSource', 'XMLHttpRequest'])
  Object.defineProperty(globalThis, name, { value: undefined, writable: false, configurable: false });

const port = parentPort;
if (!port) throw new Error('chart-worker.ts runs as a worker thread');
const { maxSvgChars } = workerData as ChartWorkerData;
let current: number | undefined;

const post = (reply: ChartReply) => port.postMessage(reply);
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A throw or rejection that escaped vega: the chart in progress fails with it, and this thread
 * ends (the host starts a fresh one), since vega's state after it is unknown.
 */
function stray(error: unknown): void {
  if (current !== undefined) post({ type: 'failed', id: current, message: reason(error) });
  current = undefined;
  process.exit(1);
}
process.on('uncaughtException', stray);
process.on('unhandledRejection', stray);

const libs = await loadVega();
post({ type: 'ready' });

port.on('message', (request: ChartRequest) => {
  current = request.id;
  void (async () => {
    try {
      const svg = await specToSvg(libs, JSON.parse(request.spec));
      if (svg.length > maxSvgChars)
        throw new Error(
          `its SVG is ${(svg.length / 2 ** 20).toFixed(1)} MB, more than the ${(maxSvgChars / 2 ** 20).toFixed(1)} MB a chart may take`,
        );
      if (current === request.id) post({ type: 'done', id: request.id, svg });
    } catch (error) {
      if (current === request.id) post({ type: 'failed', id: request.id, message: reason(error) });
    } finally {
      if (current === request.id) current = undefined;
    }
  })();
});
