/**
 * The chart process: a child process that turns Vega-Lite specs into SVG strings, one at a time,
 * for the host's reports (chart-sandbox.ts starts it). Everything vega does happens here, so that
 * nothing a spec does reaches the host: a throw in a vega timer or a promise nobody catches ends
 * this process (the host starts a new one), a spec that loops is stopped by the host killing it, a
 * memory bomb hits this process's own heap limit. It runs with no environment, as the kernel user
 * and, built, under Node's permission model (read-only access to quire's own code, nothing else).
 *
 * Protocol (IPC, JSON):
 *   argv[2]        `ChartChildConfig` as JSON
 *   host → child   `{id, spec}`, spec the Vega-Lite spec as JSON text
 *   child → host   `{type: 'ready'}` once vega is loaded,
 *                  `{type: 'done', id, svg}` or `{type: 'failed', id, message}` per chart
 */
import { loadVega, specToSvg } from './chart-vega.js';

export interface ChartChildConfig {
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

if (!process.send) throw new Error('chart-child runs as a child process with an IPC channel');
const send = process.send.bind(process);
const { maxSvgChars } = JSON.parse(process.argv[2] ?? '{}') as ChartChildConfig;
let current: number | undefined;

const post = (reply: ChartReply) => send(reply);
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));
const megabytes = (chars: number) => `${(chars / 2 ** 20).toFixed(1)} MB`;

/**
 * A throw or rejection that escaped vega: the chart in progress fails with it, and this process
 * ends (the host starts a fresh one), since vega's state after it is unknown.
 */
function stray(error: unknown): void {
  if (current === undefined) process.exit(1);
  send({ type: 'failed', id: current, message: reason(error) } satisfies ChartReply, () => process.exit(1));
  current = undefined;
}
process.on('uncaughtException', stray);
process.on('unhandledRejection', stray);
// The host is gone (or let this process go): nothing more to draw.
process.on('disconnect', () => process.exit(0));

const libs = await loadVega();
post({ type: 'ready' });

process.on('message', (request: ChartRequest) => {
  current = request.id;
  void (async () => {
    try {
      const svg = await specToSvg(libs, JSON.parse(request.spec));
      if (svg.length > maxSvgChars)
        throw new Error(
          `its SVG is ${megabytes(svg.length)}, more than the ${megabytes(maxSvgChars)} a chart may take`,
        );
      if (current === request.id) post({ type: 'done', id: request.id, svg });
    } catch (error) {
      if (current === request.id) post({ type: 'failed', id: request.id, message: reason(error) });
    } finally {
      if (current === request.id) current = undefined;
    }
  })();
});
