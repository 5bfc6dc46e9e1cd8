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
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type * as Undici from 'undici';

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

let socketPath: string | undefined;

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * A TCP connection to `host:port` through the egress proxy: a socket on which the tunnel is
 * established (the proxy answered `200`), ready for a client to speak HTTP or TLS on.
 */
export function connectThroughEgress(host: string, port: number): Promise<net.Socket> {
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
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}

type Callback = (error: Error | null, socket?: Duplex) => void;
type AgentOptions = http.ClientRequestArgs & tls.ConnectionOptions & { _agentKey?: string };
type CreateConnection = (this: http.Agent, options: AgentOptions, callback?: Callback) => Duplex | undefined;

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
      const cache = this as http.Agent & SessionCache;
      const key = options._agentKey;
      const session = key ? cache._getSession?.(key) : undefined;
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

let dispatcherInstalled = false;

type UndiciParts = Pick<typeof Undici, 'Agent' | 'buildConnector' | 'setGlobalDispatcher'>;

/**
 * The three parts of undici this needs. undici is CommonJS, so `require` loads it synchronously
 * (a WebSocket constructor cannot wait). Its index loads every feature (~3× the time of these
 * three files, ~150 ms on a busy 2-core machine); the package has no `exports` map, and its
 * version is pinned exactly, so the files are required directly, with the index as the fallback
 * should a future version move them.
 */
function loadUndici(): UndiciParts {
  const require = createRequire(import.meta.url);
  try {
    const { setGlobalDispatcher } = require('undici/lib/global.js') as UndiciParts;
    return {
      Agent: require('undici/lib/dispatcher/agent.js') as UndiciParts['Agent'],
      buildConnector: require('undici/lib/core/connect.js') as UndiciParts['buildConnector'],
      setGlobalDispatcher,
    };
  } catch {
    return require('undici') as typeof Undici;
  }
}

/** Loads undici and makes its tunnelling Agent the global dispatcher (fetch and WebSocket use it). */
function installDispatcher(): void {
  if (dispatcherInstalled) return;
  dispatcherInstalled = true;
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
  undici.setGlobalDispatcher(new undici.Agent({ connect }));
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
    installDispatcher();
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
 * Makes `new globalThis[name](…)` install the dispatcher first. Node defines WebSocket and
 * EventSource as lazy getters that load undici's implementation: they stay lazy here.
 */
function wrapConstructor(name: 'WebSocket' | 'EventSource'): void {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
  if (!descriptor?.configurable) return;
  const read = (): unknown => (descriptor.get ? descriptor.get.call(globalThis) : descriptor.value);
  let wrapped: unknown;
  const define = (value: unknown): void => {
    Object.defineProperty(globalThis, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: descriptor.enumerable ?? false,
    });
  };
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable: descriptor.enumerable ?? false,
    get() {
      const original = read();
      wrapped ??=
        typeof original === 'function'
          ? new Proxy(original, {
              construct(target, args, newTarget) {
                installDispatcher();
                return Reflect.construct(target, args, newTarget) as object;
              },
            })
          : original;
      return wrapped;
    },
    set: define,
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
  patchAgent(http.Agent.prototype as unknown as { createConnection: CreateConnection }, false);
  patchAgent(https.Agent.prototype as unknown as { createConnection: CreateConnection }, true);
  wrapFetch();
  wrapConstructor('WebSocket');
  wrapConstructor('EventSource');
}
