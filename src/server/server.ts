/**
 * Starts `quire serve`'s HTTP server: binds the app to host:port (127.0.0.1 and a random port by
 * default), fixes the server's identity (origins, cookie name) from the bound address, and
 * returns the login token. The workspace is the folder given, exactly: the CLI decides it, and
 * the server never widens it to an ancestor.
 */
import { realpathSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { authorizeOwner, ownOrigins, sessionCookieName, Sessions, type Authorize } from './auth.js';
import { createApp, type ServerIdentity } from './app.js';
import { WorkspaceFiles } from './workspace-files.js';
import { NotebookSessions } from './notebook-sessions.js';
import { attachWebSockets } from './ws.js';

export interface ServerOptions {
  workspace: string;
  /** 0 (default) picks a free port */
  port?: number;
  /** default 127.0.0.1: only this machine can connect */
  host?: string;
  /** extra allowed origins, e.g. a reverse proxy's public URL */
  origins?: string[];
  /** the login token (default: random) */
  token?: string;
  authorize?: Authorize;
  logError?: (error: unknown) => void;
  /** an editor session's kernel stops after this long without a run (default 10 min) */
  idleKernelMs?: number;
  /** how often notebooks are polled for changes on disk (default 1 s) */
  watchIntervalMs?: number;
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  token: string;
  /** the URL to print: opening it logs the browser in */
  loginUrl: string;
  files: WorkspaceFiles;
  /** the editor sessions, one per open notebook */
  notebooks: NotebookSessions;
  /** closes sockets and connections and shuts every session's kernel down */
  close(): Promise<void>;
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const workspace = realpathSync(options.workspace);
  if (!statSync(workspace).isDirectory()) throw new Error(`workspace ${workspace} is not a folder`);
  const host = options.host ?? '127.0.0.1';
  const files = new WorkspaceFiles(workspace);
  const sessions = new Sessions(options.token);
  const logError =
    options.logError ?? ((error: unknown) => console.error('quire serve: unexpected error:', error));
  // Set once the port is known; the app reads it per request.
  const bound: { identity?: ServerIdentity } = {};
  const app = createApp({
    files,
    sessions,
    authorize: options.authorize ?? authorizeOwner,
    identity: () => {
      if (!bound.identity) throw new Error('the server is not listening yet');
      return bound.identity;
    },
    logError,
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () =>
      resolve(created as Server),
    ) as Server;
    created.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  bound.identity = { origins: ownOrigins(host, port, options.origins), cookieName: sessionCookieName(port) };
  const url = `http://${urlHost(host)}:${port}`;
  const notebooks = new NotebookSessions(files, {
    ...(options.idleKernelMs !== undefined ? { idleKernelMs: options.idleKernelMs } : {}),
    ...(options.watchIntervalMs !== undefined ? { watchIntervalMs: options.watchIntervalMs } : {}),
    logError,
  });
  const sockets = attachWebSockets(server, {
    sessions,
    authorize: options.authorize ?? authorizeOwner,
    identity: () => bound.identity!,
    notebooks,
    logError,
  });

  return {
    url,
    token: sessions.token,
    loginUrl: `${url}/login?token=${encodeURIComponent(sessions.token)}`,
    files,
    notebooks,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await sockets.close();
      await notebooks.close();
      await closed;
    },
  };
}
