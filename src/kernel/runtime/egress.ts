/**
 * The kernel side of network egress. Runs inside the kernel, before user code, and only when the
 * workspace opens egress (`network.allow`): the host's egress proxy (src/kernel/egress/proxy.ts)
 * listens on a Unix socket in the scratch folder, the one way out of the kernel's network
 * namespace, and this module makes the usual clients use it.
 * - `node:http` / `node:https`: every Agent (the global ones, `agent: false`, agents user code makes)
 *   opens its connections as CONNECT tunnels through the socket; TLS runs inside the tunnel.
 * - `fetch`, `WebSocket` (and `EventSource` where enabled), which are Node's built-in undici: the
 *   global dispatcher becomes an undici Agent (the npm package, pinned) whose connector tunnels the
 *   same way. It loads on the first fetch or WebSocket, so a kernel that never uses them pays nothing.
 * - A refused or failed request fails with the proxy's one-line reason: `fetch failed: egress to
 *   evil.example is not allowed (quire.config.json network.allow)`.
 *
 * Not covered: code that opens raw sockets (`net.connect`, `tls.connect`, a `createConnection`
 * option, database drivers): inside the namespace they reach nothing. This module is no security
 * boundary: the proxy enforces the allowlist, and user code that undoes these patches gains nothing.
 */
import { EventEmitter } from 'node:events';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type * as Net from 'node:net';
import type { Duplex } from 'node:stream';
import type * as Tls from 'node:tls';
import type * as Undici from 'undici';

// Built-in modules through require, not ES imports: on Node 22 and later the ES namespace of
// node:http reads every export, and its lazy `WebSocket` getter loads Node's whole undici (~40 ms).
// node:https and node:tls load only once an https agent is used (~40 ms on Node 24).
const require = createRequire(import.meta.url);
const http = require('node:http') as typeof Http;
const net = require('node:net') as typeof Net;

/** A request the egress proxy refused (`EGRESS_DENIED`, its 403) or could not carry out (`EGRESS_FAILED`). */
export class EgressError extends Error {
  constructor(
    message: string,
    readonly code: 'EGRESS_DENIED' | 'EGRESS_FAILED',
    /** the proxy's HTTP status, when it answered */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EgressError';
  }
}

/** The proxy's answer head is a few lines; a longer one is not our proxy. */
const MAX_ANSWER_BYTES = 16 * 1024;
/** The proxy answers within its own limits (name resolution and connecting, 10 s each): this is a backstop. */
const ANSWER_TIMEOUT_MS = 60_000;

let socketPath: string | undefined;

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * A TCP connection to `host:port` through the egress proxy: a socket on which the tunnel is
 * established (the proxy answered `200`), ready for a client to speak HTTP or TLS on.
 */
export function connectThroughEgress(host: string, port: number): Promise<Net.Socket> {
  const path = socketPath;
  if (path === undefined) return Promise.reject(new EgressError('egress is not installed', 'EGRESS_FAILED'));
  const bare = unbracket(host);
  const authority = `${net.isIPv6(bare) ? `[${bare}]` : bare}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let received = Buffer.alloc(0);
    let status: number | undefined;
    let bodyStart = 0;
    const finish = (error?: Error): void => {
      socket.setTimeout(0);
      socket.off('timeout', onTimeout);
      socket.off('readable', onReadable);
      socket.off('error', onError);
      socket.off('end', onEnd);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(socket);
    };
    const refusal = (): EgressError => {
      const reason = received.subarray(bodyStart).toString('utf8').split('\n')[0]?.trim();
      const message = reason || `the egress proxy answered ${status} to CONNECT ${authority}`;
      return new EgressError(message, status === 403 ? 'EGRESS_DENIED' : 'EGRESS_FAILED', status);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        received = Buffer.concat([received, chunk]);
        if (status !== undefined) continue;
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) {
          if (received.length > MAX_ANSWER_BYTES)
            return finish(new EgressError('the egress proxy sent an answer too long', 'EGRESS_FAILED'));
          continue;
        }
        status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(received.toString('latin1', 0, end))?.[1] ?? 0);
        bodyStart = end + 4;
        if (status === 200) {
          // Bytes the far side sent after the answer belong to the client.
          const rest = received.subarray(bodyStart);
          finish();
          if (rest.length > 0) socket.unshift(rest);
          return;
        }
      }
    };
    // A refusal ends with the proxy closing the connection; its body is the reason.
    const onEnd = (): void =>
      finish(
        status === undefined
          ? new EgressError('the egress proxy closed the connection', 'EGRESS_FAILED')
          : refusal(),
      );
    const onError = (error: NodeJS.ErrnoException): void =>
      finish(
        new EgressError(
          `the egress proxy is not reachable at ${path} (${error.code ?? error.message})`,
          'EGRESS_FAILED',
        ),
      );
    const onTimeout = (): void =>
      finish(
        new EgressError(
          `the egress proxy did not answer within ${ANSWER_TIMEOUT_MS / 1000}s`,
          'EGRESS_FAILED',
        ),
      );
    socket.setTimeout(ANSWER_TIMEOUT_MS);
    socket.on('timeout', onTimeout);
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}

type Callback = (error: Error | null, socket?: Duplex) => void;
type AgentOptions = Http.ClientRequestArgs & Tls.ConnectionOptions & { _agentKey?: string };
type CreateConnection = (this: Http.Agent, options: AgentOptions, callback?: Callback) => Duplex | undefined;

/** The TLS session cache https.Agent keeps (internal methods, present on Node 20 to 24). */
interface SessionCache {
  _getSession?(key: string): Buffer | undefined;
  _cacheSession?(key: string, session: Buffer): void;
  _evictSession?(key: string): void;
}

function targetOf(options: AgentOptions, defaultPort: number): { host: string; port: number } {
  const host = unbracket(options.host ?? options.hostname ?? 'localhost');
  return { host, port: Number(options.port) || defaultPort };
}

/**
 * Agent.createConnection with a callback: Node's Agent passes one and accepts the socket later
 * (returning undefined). A caller without a callback, or a Unix socket request, gets the original.
 */
function patchAgent(proto: { createConnection: CreateConnection }, secure: boolean): void {
  const original = proto.createConnection;
  proto.createConnection = function createConnection(options, callback) {
    if (typeof callback !== 'function' || options.socketPath) return original.call(this, options, callback);
    const { host, port } = targetOf(options, secure ? 443 : 80);
    connectThroughEgress(host, port).then((socket) => {
      if (!secure) return callback(null, socket);
      // As https.Agent's own createConnection, with the tunnel as the transport.
      const cache = this as Http.Agent & SessionCache;
      const key = options._agentKey;
      const session = key ? cache._getSession?.(key) : undefined;
      const tls = require('node:tls') as typeof Tls;
      const secureSocket = tls.connect({ ...(session ? { session } : {}), ...options, socket });
      if (key) {
        secureSocket.on('session', (value: Buffer) => cache._cacheSession?.(key, value));
        secureSocket.once('close', (hadError: boolean) => hadError && cache._evictSession?.(key));
      }
      callback(null, secureSocket);
    }, callback);
    return undefined;
  };
}

type CreateSocket = (this: Http.Agent & { protocol?: string }, ...args: unknown[]) => unknown;

/**
 * Every Agent opens sockets through http.Agent's createSocket, which https.Agent inherits; the
 * first time an https agent does, node:https is loaded already, and its createConnection is
 * patched then. So a kernel that never uses https never loads it.
 */
function patchAgents(): void {
  patchAgent(http.Agent.prototype as unknown as { createConnection: CreateConnection }, false);
  const proto = http.Agent.prototype as unknown as { createSocket: CreateSocket };
  const createSocket = proto.createSocket;
  let httpsPatched = false;
  proto.createSocket = function (...args) {
    if (!httpsPatched && this.protocol === 'https:') {
      httpsPatched = true;
      const https = require('node:https') as typeof Https;
      patchAgent(https.Agent.prototype as unknown as { createConnection: CreateConnection }, true);
    }
    return createSocket.apply(this, args);
  };
}

type UndiciParts = Pick<typeof Undici, 'Agent' | 'buildConnector'>;

/**
 * The two parts of undici this needs. undici is CommonJS, so `require` loads it synchronously
 * (the dispatcher is asked for synchronously). Its index loads every feature (~3× the time of these
 * files, ~150 ms on a busy 2-core machine); the package has no `exports` map and its version is
 * pinned exactly, so the files are required directly, with the index as the fallback should a
 * future version move them.
 */
function loadUndici(): UndiciParts {
  try {
    return {
      Agent: require('undici/lib/dispatcher/agent.js') as UndiciParts['Agent'],
      buildConnector: require('undici/lib/core/connect.js') as UndiciParts['buildConnector'],
    };
  } catch {
    return require('undici') as typeof Undici;
  }
}

/** An undici Agent whose every connection is a tunnel through the egress proxy. */
function makeDispatcher(): Undici.Dispatcher {
  const undici = loadUndici();
  const tlsConnect = undici.buildConnector({});
  const connect: Undici.buildConnector.connector = (options, callback) => {
    const secure = options.protocol === 'https:' || options.protocol === 'wss:';
    const port = Number(options.port) || (secure ? 443 : 80);
    connectThroughEgress(options.hostname, port).then(
      (socket) =>
        secure ? tlsConnect({ ...options, httpSocket: socket }, callback) : callback(null, socket),
      (error: Error) => callback(error, null),
    );
  };
  return new undici.Agent({ connect });
}

/**
 * Where undici (Node's built-in copy, behind fetch, WebSocket and EventSource, and the npm package)
 * keeps the global dispatcher: `.1` is read by every version in Node 20 to 24, `.2` is written next
 * to it by undici 7 and later. Setting them directly spares loading undici's global module.
 */
const DISPATCHER_KEYS = [Symbol.for('undici.globalDispatcher.1'), Symbol.for('undici.globalDispatcher.2')];

/**
 * The global dispatcher: an undici Agent that tunnels, created on the first request. undici itself
 * reads the global dispatcher as soon as it loads (and on Node 22 and later an ES import of
 * node:http loads Node's undici), so the slot holds this small stand-in rather than the Agent.
 * It is an EventEmitter, as undici's dispatchers are.
 */
class TunnelDispatcher extends EventEmitter {
  private agent: Undici.Dispatcher | undefined;

  private get real(): Undici.Dispatcher {
    return (this.agent ??= makeDispatcher());
  }

  dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    return this.real.dispatch(options, handler);
  }

  close(): Promise<void> {
    return this.agent ? this.agent.close() : Promise.resolve();
  }

  destroy(error?: Error | null): Promise<void> {
    return this.agent ? this.agent.destroy(error ?? null) : Promise.resolve();
  }
}

/** Makes the tunnelling dispatcher the global one, for Node's undici and any other copy. */
function installDispatcher(): void {
  const dispatcher = new TunnelDispatcher();
  for (const key of DISPATCHER_KEYS) {
    // When undici loaded first (something fetched before this), it fixed its slot: writable, not configurable.
    if (Object.getOwnPropertyDescriptor(globalThis, key)?.configurable === false)
      (globalThis as Record<symbol, unknown>)[key] = dispatcher;
    else
      Object.defineProperty(globalThis, key, {
        value: dispatcher,
        writable: true,
        enumerable: false,
        configurable: true,
      });
  }
}

/** `fetch failed` says nothing; its cause (the proxy's reason, for a refusal) says what happened. */
function explain(error: unknown): never {
  if (error instanceof TypeError && error.message === 'fetch failed' && error.cause instanceof Error) {
    const message = `fetch failed: ${error.cause.message}`;
    if (typeof error.stack === 'string') error.stack = error.stack.replace('fetch failed', message);
    error.message = message;
  }
  throw error;
}

function wrapFetch(): void {
  const builtin = globalThis.fetch;
  if (typeof builtin !== 'function') return;
  const fetch = function fetch(input: Parameters<typeof builtin>[0], init?: RequestInit): Promise<Response> {
    return builtin(input, init).catch(explain);
  };
  Object.defineProperty(globalThis, 'fetch', {
    value: fetch,
    writable: true,
    configurable: true,
    enumerable: true,
  });
}

/**
 * Routes the kernel's HTTP clients through the egress proxy listening at `path`. Call once, before
 * user code runs; a second call only changes the socket path.
 */
export function installEgress(path: string): void {
  const first = socketPath === undefined;
  socketPath = path;
  if (!first) return;
  patchAgents();
  installDispatcher();
  wrapFetch();
}
