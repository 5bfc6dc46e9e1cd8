/**
 * The editor's WebSocket endpoint `/ws`, on the HTTP server's `upgrade` event. The upgrade must
 * name this server in its Host (421, DNS rebinding), pass the WebSocket Origin rule (403) and carry
 * the session cookie (401), all before the upgrade: no frame of an unauthenticated peer is read.
 * Then every frame is one JSON command, validated with the shared protocol schema: a malformed one is answered with an
 * `error` notification and the connection and the session go on. Frames over the size cap close
 * the connection (ws's `maxPayload`, close code 1009).
 *
 * Before a command reaches the session, the gate's check point (gate.ts `commandGate`, from the
 * access table) authorizes it; once the session answered it, the gate emits its event, with the
 * outcome read from that answer (`error` or `conflict`: failed).
 *
 * A connection is attached to one notebook session at a time (the last `open`). It owns no state
 * of its own: closing it loses nothing. It is closed (code 4401) when its login ends. Each
 * snapshot it sends carries its own user's access to that notebook (session-view.ts `accessOf`),
 * for the UI to choose between the editor and the app view.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientCommand, MAX_MESSAGE_BYTES, type ServerNotification } from '../protocol/index.js';
import type { AccountLogins } from './account-logins.js';
import type { Authorize, Logins, User } from './auth.js';
import { checkHost, checkOrigin } from './auth.js';
import type { ServerIdentity } from './deps.js';
import type { EventSink } from './events.js';
import { commandGate, type CommandGate, type CommandGateDeps } from './gate.js';
import type { NotebookSession, SessionClient } from './notebook-session.js';
import type { NotebookSessions } from './notebook-sessions.js';
import { accessOf, forConnection } from './session-view.js';

export interface WebSocketDeps {
  logins: Logins | AccountLogins;
  authorize: Authorize;
  identity: () => ServerIdentity;
  notebooks: NotebookSessions;
  /** the workspace's path rules (WorkspaceFiles.resolve), for the path an `open` names */
  files: { resolve(path: string): { relative: string } };
  /** where the gate's events go */
  events: EventSink;
  logError: (error: unknown) => void;
  maxMessageBytes?: number;
  /** the command table (default: access.ts); a test passes one with an entry missing */
  commands?: CommandGateDeps['commands'];
}

export interface WebSocketEndpoint {
  /** closes every connection and stops accepting new ones */
  close(): Promise<void>;
}

/** The close code of a connection whose login ended (4000–4999: the application's own). */
export const LOGGED_OUT = 4401;

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  421: 'Misdirected Request',
  404: 'Not Found',
  503: 'Service Unavailable',
};

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: STATUS_TEXT[status]?.toLowerCase().replace(' ', '-'), message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function attachWebSockets(server: Server, deps: WebSocketDeps): WebSocketEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxMessageBytes ?? MAX_MESSAGE_BYTES });
  const gate = commandGate({
    authorize: deps.authorize,
    events: deps.events,
    resolve: (path) => deps.files.resolve(path).relative,
    logError: deps.logError,
    ...(deps.commands ? { commands: deps.commands } : {}),
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname !== '/ws') return refuse(socket, 404, `no WebSocket endpoint at ${pathname}`);
    const identity = deps.identity();
    const wrongHost = checkHost(request.headers.host, identity.origins);
    if (wrongHost) return refuse(socket, 421, wrongHost);
    const refused = checkOrigin(
      { method: 'GET', origin: request.headers.origin, webSocket: true },
      identity.origins,
    );
    if (refused) return refuse(socket, 403, refused);
    const login = cookieValue(request.headers.cookie, identity.cookieName);
    // An account's session is looked up in the store: the upgrade waits for it.
    void Promise.resolve(deps.logins.userOf(login)).then(
      (user) => {
        if (!user) return refuse(socket, 401, 'log in with the URL printed by `quire serve`');
        wss.handleUpgrade(request, socket, head, (ws) => {
          // A connection lives no longer than the login it was opened with (POST /api/logout).
          const unlisten = deps.logins.onLogout((ended) => {
            if (ended === login) ws.close(LOGGED_OUT, 'logged out');
          });
          ws.on('close', unlisten);
          connection(ws, user, deps, gate);
        });
      },
      (error: unknown) => {
        deps.logError(error);
        refuse(socket, 503, 'the session could not be checked');
      },
    );
  });

  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** The requestId of a message that failed validation, when it has a usable one. */
function requestIdOf(message: unknown): string | undefined {
  const id = (message as { requestId?: unknown } | null)?.requestId;
  return typeof id === 'string' && id.length <= 200 ? id : undefined;
}

function connection(ws: WebSocket, user: User, deps: WebSocketDeps, gate: CommandGate): void {
  let session: NotebookSession | undefined;
  /** the command in the session now, and how the session answered it so far */
  let pending: { requestId: string; failed: boolean } | undefined;
  // Snapshots carry what this connection's user may do in the notebook, asked anew for each one.
  const access = (path: string) => accessOf(deps.authorize, user, path);
  const client: SessionClient = {
    user: user.id,
    send: (shared: ServerNotification) => {
      // Read access lost since the open (a grant revoked, the notebook's folder restricted): the
      // connection leaves the session and hears nothing more of it; its commands are refused by
      // the gate already. Asked per notification: the rules are the server's snapshot, in memory.
      if (session && !deps.authorize(user, 'notebook:read', { kind: 'notebook', path: session.path })) {
        const left = session;
        session = undefined;
        left.clients.delete(client);
        if (ws.readyState === ws.OPEN)
          ws.send(
            JSON.stringify({
              type: 'error',
              message: `you may no longer read ${left.path}: your access changed; open another notebook`,
            }),
          );
        return;
      }
      const notification = forConnection(shared, access);
      if (pending && 'requestId' in notification && notification.requestId === pending.requestId) {
        if (notification.type === 'error' || notification.type === 'conflict') pending.failed = true;
      }
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(notification));
    },
  };
  // A refusal or a bad message concerns this connection only, whatever it may read: straight to it.
  const fail = (message: string, requestId?: string): void => {
    if (ws.readyState === ws.OPEN)
      ws.send(JSON.stringify({ type: 'error', ...(requestId ? { requestId } : {}), message }));
  };

  const onMessage = async (data: Buffer, isBinary: boolean): Promise<void> => {
    if (isBinary) return fail('messages are JSON text frames');
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      return fail('the message is not valid JSON');
    }
    const checked = ClientCommand.safeParse(parsed);
    if (!checked.success) {
      const issues = checked.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
      return fail(`invalid message: ${issues.join('; ')}`, requestIdOf(parsed));
    }
    const command = checked.data;
    const decision = gate.check(user, command, session?.path);
    if (!decision.allowed) return fail(decision.message, command.requestId);
    if (command.type === 'open') {
      const opened = await deps.notebooks.open(command.path, user, client);
      session?.clients.delete(client);
      session = opened;
      session.clients.add(client);
    }
    pending = { requestId: command.requestId, failed: false };
    try {
      await session!.handle(client, command);
    } finally {
      const { failed } = pending;
      pending = undefined;
      gate.done(user, command, decision, failed ? 'failed' : 'ok');
    }
  };

  // One message at a time per connection: an `open` must attach before the next command runs.
  let queue: Promise<void> = Promise.resolve();
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    queue = queue
      .then(() => onMessage(data, isBinary))
      .catch((error: unknown) => {
        const known =
          error instanceof Error && ['PathError', 'NotFoundError', 'QuotaError'].includes(error.name);
        if (!known) deps.logError(error);
        const message = known ? (error as Error).message : 'internal error (see the server log)';
        fail(message, requestIdOf(safeJson(data)));
      });
  });
  ws.on('close', () => session?.clients.delete(client));
  ws.on('error', () => undefined);
}

function safeJson(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}
