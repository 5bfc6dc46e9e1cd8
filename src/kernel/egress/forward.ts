/**
 * Absolute-form plain HTTP through the proxy (`GET http://host/path HTTP/1.1`): the request goes
 * out on a socket that upstream.ts opened to a checked address, with the hop-by-hop headers
 * removed and `Host` set from the URL (RFC 9112 §3.2.2: a proxy replaces a received Host with the
 * request target's, so a Host header cannot steer the request to another site on the same
 * address). HTTPS never comes this way: clients tunnel it with CONNECT, and TLS stays end to end.
 */
import http from 'node:http';
import type net from 'node:net';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus proxy credentials. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** rawHeaders without the hop-by-hop ones and those the Connection header names. */
export function endToEndHeaders(raw: string[]): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === 'connection')
      for (const token of (raw[i + 1] ?? '').split(',')) named.add(token.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out.push(name, raw[i + 1] ?? '');
  }
  return out;
}

/** Whether the client sent a body in chunks (its length is then unknown). */
function isChunked(req: http.IncomingMessage): boolean {
  return /(?:^|,)\s*chunked\s*$/i.test(req.headers['transfer-encoding'] ?? '');
}

/**
 * Sends `req` to `url` over `socket` and streams the answer into `res`. Resolves when both sides
 * are done or one of them failed (the socket is destroyed then).
 */
export function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  socket: net.Socket,
): Promise<void> {
  return new Promise((resolve) => {
    const headers = ['Host', url.host, ...endToEndHeaders(req.rawHeaders)];
    if (isChunked(req)) headers.push('Transfer-Encoding', 'chunked');
    const upstream = http.request({
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      setHost: false,
      createConnection: () => socket,
    });
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve();
    };
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.rawHeaders));
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      res.on('finish', finish);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!res.headersSent) {
        const reason = `egress to ${url.host} failed: ${error.code ?? error.message}\n`;
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(reason);
      } else res.destroy();
      finish();
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      finish();
    });
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  });
}
