/**
 * The host side of a kernel's network egress: an HTTP proxy on a Unix socket (in the kernel's
 * scratch folder, the one way out of its network namespace). It serves `CONNECT host:port`
 * (tunnels: TLS stays end to end) and absolute-form plain HTTP (`GET http://host/path`). Every
 * request goes through policy.ts (allowlist, name resolution done here, address classes) and
 * upstream.ts (connects only to checked addresses, then checks the connected one). Refusals are
 * `403` with a one-line reason naming the host and the setting.
 *
 * It is bounded (concurrent upstream connections, concurrent clients, idle time, header size, time
 * to connect) and nothing a client sends can make it throw: the kernel on the other side runs
 * untrusted code and may write anything to the socket.
 */
import { lchownSync, lstatSync, unlinkSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import { parseAllowList } from './allowlist.js';
import { forward } from './forward.js';
import { ALLOW_SETTING, decide, type Decision, type Resolver } from './policy.js';
import { describeTarget, normalizeHost, parseAuthority, type Target } from './target.js';
import { dial, UpstreamError } from './upstream.js';

export interface EgressLimits {
  /** upstream connections open at once (tunnels and forwarded requests), including those being set up */
  maxConnections: number;
  /** client connections to the socket at once */
  maxClients: number;
  /** a tunnel or client connection with no traffic either way for this long is closed */
  idleTimeoutMs: number;
  /** resolving the name and connecting to it, together */
  connectTimeoutMs: number;
  /** the request line and headers of one request */
  maxHeaderBytes: number;
  /** time for a client to send a complete request head */
  headersTimeoutMs: number;
}

export const DEFAULT_LIMITS: EgressLimits = {
  maxConnections: 64,
  maxClients: 256,
  idleTimeoutMs: 5 * 60_000,
  connectTimeoutMs: 10_000,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
};

export type EgressEvent =
  | { type: 'open'; target: string; address: string; via: 'connect' | 'http' }
  | { type: 'refused'; target: string; status: number; reason: string }
  | { type: 'close'; target: string; bytesSent: number; bytesReceived: number }
  | { type: 'bad-request'; status: number; reason: string };

export interface EgressStats {
  /** upstream connections open now */
  active: number;
  /** upstream connections opened so far */
  opened: number;
  /** requests answered with 403 */
  refused: number;
  /** requests that failed otherwise (bad request, no address, connect error, limits) */
  failed: number;
  /** bytes the kernel sent upstream, and received, over closed and open connections */
  bytesSent: number;
  bytesReceived: number;
}

export interface EgressProxyOptions {
  /** `network.allow` entries, as validated by the workspace config */
  allow: readonly string[];
  /** where to listen (at most 107 bytes: the Unix socket limit) */
  socketPath: string;
  log?: (event: EgressEvent) => void;
  /** the kernel's OS user, when it is not the host's: the socket is given to it (lchown) */
  owner?: { uid: number; gid: number };
  /** name resolution (tests inject one); default `dns.lookup` with all answers */
  resolve?: Resolver;
  limits?: Partial<EgressLimits>;
  /** how refusals name the setting (default `quire.config.json network.allow`) */
  setting?: string;
}

export interface EgressProxy {
  readonly socketPath: string;
  stats(): EgressStats;
  /** Stops listening, closes every connection and removes the socket file. */
  close(): Promise<void>;
}

const MAX_SOCKET_PATH_BYTES = 107;

const defaultResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((answer) => answer.address);

/** A complete raw HTTP response with a one-line text body (for sockets outside the HTTP parser). */
function rawResponse(status: number, reason: string): string {
  const body = `${reason}\n`;
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n` +
    `content-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
    `x-quire-egress: refused\r\nconnection: close\r\n\r\n${body}`
  );
}

/** At most 100 printable characters of client input, for a reason line. */
function quote(text: string | undefined): string {
  const printable = (text ?? '').replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 100 ? `${printable.slice(0, 100)}…` : printable);
}

/** Removes a socket file left by a previous proxy; anything else at that path is an error. */
function removeStaleSocket(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`egress proxy: ${path} exists and is not a socket`);
  unlinkSync(path);
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const limits: EgressLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const entries = parseAllowList(options.allow);
  const resolve = options.resolve ?? defaultResolver;
  const setting = options.setting ?? ALLOW_SETTING;
  const log = options.log ?? (() => undefined);
  const { socketPath } = options;
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES)
    throw new Error(`egress proxy: socket path too long (${socketPath}, at most 107 bytes)`);

  const stats: EgressStats = { active: 0, opened: 0, refused: 0, failed: 0, bytesSent: 0, bytesReceived: 0 };
  const clients = new Set<net.Socket>();
  const upstreams = new Set<net.Socket>();
  let reserved = 0;
  let closing = false;

  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: 0,
  });
  server.timeout = limits.idleTimeoutMs;
  server.keepAliveTimeout = limits.idleTimeoutMs;

  /** Takes one of the upstream slots, or undefined when all are taken. */
  function reserve(): (() => void) | undefined {
    if (closing || reserved >= limits.maxConnections) return undefined;
    reserved++;
    let released = false;
    return () => {
      if (!released) reserved--;
      released = true;
    };
  }

  function refusal(target: string, status: number, reason: string): void {
    if (status === 403) stats.refused++;
    else stats.failed++;
    log({ type: 'refused', target, status, reason });
  }

  async function open(
    target: Target,
    signal: AbortSignal,
    via: 'connect' | 'http',
  ): Promise<net.Socket | { status: number; reason: string }> {
    const shown = describeTarget(target);
    const decision = await withTimeout<Decision>(
      decide(target, entries, resolve, setting),
      limits.connectTimeoutMs,
      () => ({
        allowed: false,
        status: 502,
        reason: `egress to ${shown} failed: resolving ${target.host.value} took over ${limits.connectTimeoutMs / 1000}s`,
      }),
    );
    if (!decision.allowed) return decision;
    let socket: net.Socket;
    try {
      socket = await dial({
        target,
        addresses: decision.addresses,
        timeoutMs: limits.connectTimeoutMs,
        signal,
      });
    } catch (error) {
      if (error instanceof UpstreamError) return { status: error.status, reason: error.message };
      return { status: 502, reason: `egress to ${shown} failed: ${(error as Error).message}` };
    }
    socket.on('error', () => socket.destroy());
    if (closing) {
      socket.destroy();
      return { status: 503, reason: `egress to ${shown} failed: the egress proxy is closing` };
    }
    upstreams.add(socket);
    stats.active++;
    stats.opened++;
    log({ type: 'open', target: shown, address: socket.remoteAddress ?? '', via });
    socket.once('close', () => {
      upstreams.delete(socket);
      stats.active--;
      stats.bytesSent += socket.bytesWritten;
      stats.bytesReceived += socket.bytesRead;
      log({ type: 'close', target: shown, bytesSent: socket.bytesWritten, bytesReceived: socket.bytesRead });
    });
    return socket;
  }

  function answerRaw(socket: net.Socket, target: string, status: number, reason: string): void {
    refusal(target, status, reason);
    if (!socket.destroyed) socket.end(rawResponse(status, reason));
  }

  async function handleConnect(req: http.IncomingMessage, client: net.Socket, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy());
    const target = parseAuthority(req.url ?? '');
    if (!target) {
      const reason = `the egress proxy takes CONNECT host:port, not ${quote(req.url)}`;
      log({ type: 'bad-request', status: 400, reason });
      stats.failed++;
      client.end(rawResponse(400, reason));
      return;
    }
    const shown = describeTarget(target);
    const release = reserve();
    if (!release)
      return answerRaw(client, shown, 503, `too many egress connections at once (${limits.maxConnections})`);
    const abort = new AbortController();
    client.once('close', () => abort.abort());
    let handedOver = false;
    try {
      const upstream = await open(target, abort.signal, 'connect');
      if (!(upstream instanceof net.Socket))
        return answerRaw(client, shown, upstream.status, upstream.reason);
      if (client.destroyed) return void upstream.destroy();
      // The slot is held for as long as the tunnel is open.
      upstream.once('close', release);
      handedOver = true;
      tunnel(client, upstream, head);
    } finally {
      if (!handedOver) release();
    }
  }

  function tunnel(client: net.Socket, upstream: net.Socket, head: Buffer): void {
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.setTimeout(limits.idleTimeoutMs, end);
      socket.once('close', end);
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const fail = (status: number, reason: string, target?: string): void => {
      if (target === undefined) {
        stats.failed++;
        log({ type: 'bad-request', status, reason });
      } else refusal(target, status, reason);
      if (res.headersSent) return void res.destroy();
      const body = `${reason}\n`;
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'x-quire-egress': 'refused',
        connection: 'close',
      });
      res.end(body);
    };
    const raw = req.url ?? '';
    if (!/^http:\/\//i.test(raw)) {
      if (/^https:\/\//i.test(raw))
        return fail(400, `the egress proxy forwards https only through CONNECT, not as ${quote(raw)}`);
      return fail(
        400,
        `the egress proxy takes CONNECT host:port or an absolute http:// URL, not ${quote(raw)}`,
      );
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return fail(400, `not a URL: ${quote(raw)}`);
    }
    const host = normalizeHost(url.hostname);
    if (!host) return fail(400, `not a host: ${quote(url.hostname)}`);
    const target: Target = { host, port: url.port === '' ? 80 : Number(url.port) };
    const shown = describeTarget(target);
    const release = reserve();
    if (!release) return fail(503, `too many egress connections at once (${limits.maxConnections})`, shown);
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    try {
      const upstream = await open(target, abort.signal, 'http');
      if (!(upstream instanceof net.Socket)) return fail(upstream.status, upstream.reason, shown);
      upstream.setTimeout(limits.idleTimeoutMs, () => upstream.destroy());
      await forward(req, res, url, upstream);
    } finally {
      release();
    }
  }

  server.on('connection', (socket: net.Socket) => {
    socket.on('error', () => socket.destroy());
    if (closing || clients.size >= limits.maxClients) {
      stats.failed++;
      socket.end(rawResponse(503, `too many clients of the egress proxy at once (${limits.maxClients})`));
      return;
    }
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    handleConnect(req, socket, head).catch(() => socket.destroy());
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    handleRequest(req, res).catch(() => res.destroy());
  });
  server.on('upgrade', (_req: http.IncomingMessage, socket: net.Socket) => {
    socket.on('error', () => socket.destroy());
    const reason = 'the egress proxy takes upgrades (WebSocket) only through CONNECT';
    stats.failed++;
    log({ type: 'bad-request', status: 400, reason });
    socket.end(rawResponse(400, reason));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: net.Socket) => {
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const reason =
      status === 431
        ? `request head over ${limits.maxHeaderBytes} bytes`
        : status === 408
          ? 'request head not received in time'
          : `malformed request (${error.code ?? 'parse error'})`;
    stats.failed++;
    log({ type: 'bad-request', status, reason });
    // As Node's own handler: answer only when no response to an earlier request is half written.
    const inFlight = (socket as net.Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent)
      socket.end(rawResponse(status, reason));
    else socket.destroy();
  });

  removeStaleSocket(socketPath);
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(socketPath, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  server.on('error', () => undefined);
  if (options.owner) {
    try {
      // lchown: never follows a link someone could have put at this path.
      if (lstatSync(socketPath).isSocket()) lchownSync(socketPath, options.owner.uid, options.owner.gid);
    } catch (error) {
      server.close();
      removeStaleSocket(socketPath);
      throw new Error(
        `egress proxy: cannot give ${socketPath} to uid ${options.owner.uid}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  let closed: Promise<void> | undefined;
  return {
    socketPath,
    stats: () => ({
      ...stats,
      bytesSent: stats.bytesSent + [...upstreams].reduce((sum, s) => sum + s.bytesWritten, 0),
      bytesReceived: stats.bytesReceived + [...upstreams].reduce((sum, s) => sum + s.bytesRead, 0),
    }),
    close: () =>
      (closed ??= new Promise<void>((resolveClose) => {
        closing = true;
        server.close(() => resolveClose());
        for (const socket of [...clients, ...upstreams]) socket.destroy();
      }).finally(() => {
        try {
          removeStaleSocket(socketPath);
        } catch {
          // something else took the path: not ours to remove
        }
      })),
  };
}
