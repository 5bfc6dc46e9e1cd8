/**
 * What the HTTP app and its routes are built from: the services (`ServerDeps`), the server's
 * identity once it listens, and the per-request variables the gate sets (`ServerEnv`). Its own
 * module so that app.ts and routes/* both import it and not each other (no import circle).
 */
import type { Context } from 'hono';
import type { AccountLogins } from './account-logins.js';
import type { OidcLogins } from '../auth/oidc.js';
import type { Action, Authorize, Resource, Logins, User } from './auth.js';
import type { EventDetail, EventSink } from './events.js';
import type { QuireMetrics } from '../metrics/registry.js';
import type { WorkspaceFiles } from './workspace-files.js';
import type { AuditLog } from '../audit/log.js';
import type { WorkspacePath } from './paths.js';
import type { RunStore } from '../store/run-store.js';
import type { JobService } from '../jobs/service.js';
import type { SnapshotAccess } from '../protocol/index.js';

/** Facts known only once the server listens (the port, when 0 was asked for). */
export interface ServerIdentity {
  /** origins a state-changing request may come from */
  origins: Set<string>;
  /** the session cookie's name */
  cookieName: string;
}

export interface ServerDeps {
  files: WorkspaceFiles;
  /** who is logged in: the single-user token's logins, or the store's accounts */
  logins: Logins | AccountLogins;
  /** single sign-on (`auth.oidc` in quire.config.json, accounts mode); absent: none */
  oidc?: OidcLogins;
  /** the one authorization decision; only the gate (gate.ts) calls it */
  authorize: Authorize;
  identity: () => ServerIdentity;
  /** where unexpected errors go (they are never sent to the client) */
  logError: (error: unknown) => void;
  /** where the gate sends one event per state change (default: the server's structured log) */
  events?: EventSink;
  /** the run history (`/api/runs`): every run of the workspace's notebooks */
  store: RunStore;
  /** the audit log (`GET /api/audit`, admins only); absent: the store's log, read as it is */
  audit?: AuditAccess;
  /** queues runs (`POST /api/runs`); absent when the server executes no runs */
  jobs?: JobService;
  /** largest accepted request body, bytes */
  maxBodyBytes?: number;
  /** served at `GET /metrics` without a session (they hold no notebook content) */
  metrics?: QuireMetrics;
  /** when set, `/metrics` needs `Authorization: Bearer <metricsToken>` instead */
  metricsToken?: string | undefined;
  /** the built editor UI (default: this package's dist/ui; null: none) */
  uiDir?: string | null;
}

/** The audit log, and a way to wait for the events already emitted to be in it (the writer's queue). */
export interface AuditAccess {
  log: AuditLog;
  flush(): Promise<void>;
}

export type ServerEnv = {
  Variables: {
    /** who is asking; set by the gate on every route that is not public */
    user: User;
    /**
     * `authorize` for this request's user. A listing narrows its items with it (the gate has
     * already allowed the listing itself); nothing else in a handler decides access.
     */
    may: (action: Action, resource: Resource) => boolean;
    /**
     * What this request's user may do in a notebook and whether it is locked, as a snapshot says
     * it (session-view.ts `accessOf`): for a listing to show with each item, never to decide.
     */
    access: (path: string) => SnapshotAccess;
    /** what a handler adds to its request's event once it succeeded: an id it made, a version */
    detail: EventDetail;
    /**
     * The notebook the request names, resolved once by the gate when its entry derived the
     * resource (access.ts `req.notebook`); a handler reads it (`gatedNotebook`), never resolves
     * the path again.
     */
    notebook: WorkspacePath;
  };
};

/**
 * The notebook the gate resolved for this request (`c.var.notebook`). Throws when it resolved
 * none: the route's access entry does not name a notebook, a bug of the table, not of the client.
 */
export function gatedNotebook(c: Context<ServerEnv>): WorkspacePath {
  const notebook = c.get('notebook') as WorkspacePath | undefined;
  if (!notebook)
    throw new Error(
      `${c.req.method} ${c.req.path}: the gate resolved no notebook for this route (access.ts)`,
    );
  return notebook;
}
