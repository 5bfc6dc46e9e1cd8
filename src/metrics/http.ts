/**
 * Serves `GET /metrics`: as a Hono route on `quire serve` (mounted before the session check, see
 * server/app.ts), and as a tiny node:http server for `quire worker --metrics-port N`, which has no
 * other HTTP surface. Both answer the same way: the Prometheus text, or 401 when a token is
 * configured and the request does not carry it. Errors are JSON `{error, message}` like the API's.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import type { QuireMetrics } from './registry.js';
import { bearerMatches } from './token.js';

export interface MetricsAccess {
  /** when set, a scrape must send `Authorization: Bearer <token>` */
  token?: string | undefined;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The answer to a GET of /metrics, shared by both servers. */
async function answer(
  metrics: QuireMetrics,
  access: MetricsAccess,
  authorization: string | undefined,
): Promise<Answer> {
  if (access.token !== undefined && !bearerMatches(authorization, access.token)) {
    return {
      status: 401,
      headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="quire-metrics"' },
      body: JSON.stringify({
        error: 'unauthorized',
        message: 'the metrics need `Authorization: Bearer <token>`',
      }),
    };
  }
  // Values change every scrape: nothing may cache them.
  return {
    status: 200,
    headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' },
    body: await metrics.text(),
  };
}

/** `GET /metrics` for the server's Hono app: `app.route('/', metricsRoute(metrics, {token}))`. */
export function metricsRoute(metrics: QuireMetrics, access: MetricsAccess = {}): Hono {
  const route = new Hono();
  route.get('/metrics', async (c) => {
    const { status, headers, body } = await answer(metrics, access, c.req.header('authorization'));
    return c.body(body, status as 200 | 401, headers);
  });
  return route;
}

export interface MetricsServerOptions extends MetricsAccess {
  metrics: QuireMetrics;
  /** 0 picks a free port */
  port: number;
  /** default 127.0.0.1; a worker scraped from another machine binds 0.0.0.0 or its own address */
  host?: string;
  /** a scrape failed unexpectedly (it gets a 500) */
  logError?: (error: unknown) => void;
}

export interface MetricsServer {
  /** the bound port (the free one picked when 0 was asked for) */
  port: number;
  close(): Promise<void>;
}

/** A standalone server answering `GET /metrics` and nothing else (404; 405 for other methods). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      options.logError?.(error);
      send(res, req, json(500, 'internal', 'the metrics could not be collected'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Prometheus keeps its connection alive between scrapes: do not wait for it to hang up.
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: MetricsServerOptions,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://metrics').pathname;
  if (path !== '/metrics')
    return send(res, req, json(404, 'not-found', `no route for ${req.method} ${path}`));
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const refused = json(405, 'method-not-allowed', 'only GET is served here');
    return send(res, req, { ...refused, headers: { ...refused.headers, allow: 'GET, HEAD' } });
  }
  send(res, req, await answer(options.metrics, options, req.headers.authorization));
}

function json(status: number, error: string, message: string): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error, message }),
  };
}

function send(res: ServerResponse, req: IncomingMessage, { status, headers, body }: Answer): void {
  res.writeHead(status, { ...headers, 'x-content-type-options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
