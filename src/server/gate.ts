/**
 * The gate: the one place where a request is authenticated, authorized and, once answered,
 * recorded as an event. `httpGate` is a middleware in front of every route; `commandGate` is the
 * check point of the WebSocket, before a command reaches its notebook session. Both look the
 * request up in the access table (access.ts), derive the resource from it, call
 * `authorize(user, action, resource)` and emit the entry's event (events.ts). A route or command
 * without an entry is refused and logged: the table fails closed.
 *
 * Handlers do not decide access; a listing only narrows its items with `c.var.may`, and may show
 * with each what its user may do there (`c.var.access`).
 *
 * A state change (not GET/HEAD/OPTIONS) that the session cookie authenticates must also carry the
 * session's CSRF token (csrf.ts), public routes included (logout); one authenticated by an API
 * token needs none. The login form checks its own pre-session token instead.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import type { ClientCommand } from '../protocol/index.js';
import type { Authorize, Resource, User } from './auth.js';
import {
  COMMANDS,
  ROUTES,
  type CommandAccess,
  type CommandContext,
  type RouteAccess,
  type RouteRequest,
} from './access.js';
import type { ServerDeps, ServerEnv } from './deps.js';
import { changesState, CSRF_HEADER, validCsrf } from './csrf.js';
import { errorResponse } from './errors.js';
import type { EventDetail, EventSink, GateEvent } from './events.js';
import type { WorkspacePath } from './paths.js';
import { accessOf } from './session-view.js';

const UNAUTHENTICATED = 'log in with the URL printed by `quire serve`';
const FORBIDDEN = 'you may not do this';
const NO_CSRF =
  'this request needs the CSRF token of your session (GET /api/csrf) in the X-Quire-CSRF header';

/**
 * Routes that check a CSRF token of their own instead of the session's: the login form carries a
 * pre-session token (csrf.ts), as a browser may still hold the cookie of an earlier login there.
 */
const OWN_CSRF_CHECK = new Set(['POST /login']);

const now = (): string => new Date().toISOString();

export interface GateDeps extends Pick<ServerDeps, 'logins' | 'authorize' | 'identity' | 'logError'> {
  /** where a run's notebook path is looked up (a run resource carries it); absent: runs have none */
  store?: { get(id: string): Promise<{ path: string } | undefined> };
  /** the workspace's path rules; what it resolves is kept on the request for the handler */
  files: { resolve(path: string): WorkspacePath };
  events: EventSink;
  /** the table (default: access.ts); a test passes one with an entry missing */
  routes?: Readonly<Record<string, RouteAccess>>;
}

/** `METHOD /pattern`, the key of a route in the table. */
export const routeKey = (route: { method: string; path: string }): string => `${route.method} ${route.path}`;

/**
 * The HTTP gate. Registered as the app's last middleware, so the route that answers is the next
 * matched one; its path params are read at its own index (`routeIndex`), as Hono reads them there.
 * A handler that falls through (`next()`, the UI's files when one is missing) reaches the next
 * matched route without a second check: only public routes do that here, and a route that did
 * so into a protected one would have to carry that route's action.
 */
export function httpGate(deps: GateDeps): MiddlewareHandler<ServerEnv> {
  const table = new Map(Object.entries(deps.routes ?? ROUTES));

  // Named: the table's test finds the gate among the app's routes by it.
  return async function gate(c, next) {
    const index = c.req.routeIndex + 1;
    const route = matchedRoutes(c)[index];
    const { user, sessionId } = await authenticate(c, deps);
    if (!route) {
      // Nothing answers here (404), but under /api an anonymous caller learns nothing: 401 as ever.
      if (!user && c.req.path.startsWith('/api/'))
        return errorResponse(c, 401, 'unauthorized', UNAUTHENTICATED);
      return next();
    }
    const key = routeKey(route);
    const entry = table.get(key);
    if (!entry) {
      deps.logError(
        new Error(`refused ${c.req.method} ${c.req.path}: route ${key} has no entry in the access table`),
      );
      return errorResponse(c, 403, 'forbidden', 'this route is not declared in the access table');
    }
    // The cookie is ambient: a state change it authenticates must prove it comes from our page.
    if (sessionId !== undefined && changesState(c.req.method) && !OWN_CSRF_CHECK.has(key)) {
      if (!validCsrf(sessionId, c.req.header(CSRF_HEADER))) return errorResponse(c, 403, 'csrf', NO_CSRF);
    }
    const req = routeRequest(c, index, deps);
    if (user) {
      c.set('user', user);
      c.set('may', (action, resource) => deps.authorize(user, action, resource));
      c.set('access', (path) => accessOf(deps.authorize, user, path));
    }

    if ('public' in entry) {
      await next();
      if (entry.event) emitRoute(c, deps, entry, null, { kind: 'server' });
      return;
    }
    if (!user) return refuse(c, entry, 401, req);
    const resource = await entry.resource(req);
    if (!deps.authorize(user, entry.action, resource)) {
      deps.events.emit(denied(user, entry.action, resource, 'http', { route: key }));
      return refuse(c, entry, 403, req);
    }
    await next();
    if (entry.event) emitRoute(c, deps, entry, entry.action, resource);
  };
}

/**
 * Who is asking: the session cookie's user, else (accounts mode, /api routes) the user of an API
 * token in `Authorization: Bearer qk_…`. A token travels in no cookie, so no other site can make
 * a browser send it. `sessionId` is set when the cookie authenticated the request: its state
 * changes need the session's CSRF token (csrf.ts).
 */
async function authenticate(
  c: Context<ServerEnv>,
  deps: GateDeps,
): Promise<{ user?: User | undefined; sessionId?: string }> {
  const { logins } = deps;
  const sessionId = getCookie(c, deps.identity().cookieName);
  const user = await logins.userOf(sessionId);
  if (user) return { user, sessionId: sessionId! };
  if (logins.mode !== 'accounts' || !c.req.path.startsWith('/api/')) return {};
  const bearer = /^Bearer +(qk_\S+)$/.exec(c.req.header('authorization') ?? '');
  return { user: bearer?.[1] ? await logins.bearerUser(bearer[1]) : undefined };
}

function refuse(c: Context<ServerEnv>, entry: RouteAccess, status: 401 | 403, req: RouteRequest): Response {
  if ('refuse' in entry && entry.refuse) return entry.refuse(c, status, req);
  return status === 401
    ? errorResponse(c, 401, 'unauthorized', UNAUTHENTICATED)
    : errorResponse(c, 403, 'forbidden', FORBIDDEN);
}

function routeRequest(c: Context<ServerEnv>, index: number, deps: GateDeps): RouteRequest {
  const own = c.req.routeIndex;
  c.req.routeIndex = index;
  const params = c.req.param() as Record<string, string>;
  c.req.routeIndex = own;
  return {
    params,
    query: (name) => c.req.query(name),
    json: () => c.req.json<unknown>().catch(() => undefined),
    // Resolved once, here: the handler reads what the resource was derived from (c.var.notebook).
    notebook: (path) => {
      const resolved = deps.files.resolve(path);
      c.set('notebook', resolved);
      return { kind: 'notebook', path: resolved.relative };
    },
    run: async (id) => {
      const path = (await deps.store?.get(id))?.path;
      return path === undefined ? { kind: 'run', id } : { kind: 'run', id, path };
    },
  };
}

/** The entry's event once the handler answered; a failure here is logged, the answer stands. */
function emitRoute(
  c: Context<ServerEnv>,
  deps: GateDeps,
  entry: RouteAccess,
  action: GateEvent['action'],
  resource: Resource,
): void {
  try {
    const ok = c.res.status < 400;
    const added = ok ? (c.get('detail') as EventDetail | undefined) : undefined;
    const user = c.get('user') as User | undefined;
    deps.events.emit({
      time: now(),
      event: entry.event!.name,
      user: user?.id ?? null,
      action,
      resource,
      outcome: ok ? 'ok' : 'failed',
      via: 'http',
      detail: { status: c.res.status, ...added },
    });
  } catch (error) {
    deps.logError(error);
  }
}

function denied(
  user: User,
  action: GateEvent['action'],
  resource: Resource,
  via: GateEvent['via'],
  detail: EventDetail,
): GateEvent {
  return {
    time: now(),
    event: 'access.denied',
    user: user.id,
    action,
    resource,
    outcome: 'denied',
    via,
    detail,
  };
}

// ---- WebSocket ----------------------------------------------------------------------------------

export interface CommandGateDeps {
  authorize: Authorize;
  events: EventSink;
  /** a workspace path resolved by the path rules (WorkspaceFiles.resolve) */
  resolve(path: string): string;
  logError: (error: unknown) => void;
  /** the table (default: access.ts); a test passes one with an entry missing */
  commands?: Readonly<Partial<Record<string, CommandAccess<never>>>>;
}

/** What the check point decided for one command. */
export type CommandDecision =
  | { allowed: true; entry: CommandAccess<ClientCommand>; resource: Resource }
  | { allowed: false; message: string };

export interface CommandGate {
  /** Before the command reaches the session: may `user` send it on a connection at `session`? */
  check(user: User, command: ClientCommand, session: string | undefined): CommandDecision;
  /** After the session answered: the entry's event, if the command changes state. */
  done(user: User, command: ClientCommand, decision: CommandDecision, outcome: 'ok' | 'failed'): void;
}

export function commandGate(deps: CommandGateDeps): CommandGate {
  const table = (deps.commands ?? COMMANDS) as Readonly<
    Partial<Record<string, CommandAccess<ClientCommand>>>
  >;
  const context = (session: string | undefined): CommandContext => ({
    session,
    resolve: (path) => deps.resolve(path),
  });

  return {
    check(user, command, session) {
      const entry = table[command.type];
      if (!entry) {
        deps.logError(new Error(`refused command ${command.type}: it has no entry in the access table`));
        return {
          allowed: false,
          message: `not allowed: ${command.type} is not declared in the access table`,
        };
      }
      const resource = entry.resource(command, context(session));
      if (!resource) return { allowed: false, message: 'open a notebook first' };
      if (!deps.authorize(user, entry.action, resource)) {
        deps.events.emit(denied(user, entry.action, resource, 'ws', { command: command.type }));
        return { allowed: false, message: `not allowed: ${entry.action} on ${describe(resource)}` };
      }
      return { allowed: true, entry, resource };
    },
    done(user, command, decision, outcome) {
      if (!decision.allowed || !decision.entry.event) return;
      const { name, detail } = decision.entry.event;
      deps.events.emit({
        time: now(),
        event: name,
        user: user.id,
        action: decision.entry.action,
        resource: decision.resource,
        outcome,
        via: 'ws',
        detail: detail ? detail(command) : {},
      });
    },
  };
}

/** A resource as the refusal names it: `reports/q1.nb.md`, `run r-1`, `the workspace`. */
export function describe(resource: Resource): string {
  switch (resource.kind) {
    case 'notebook':
      return resource.path;
    case 'run':
      return `run ${resource.id}`;
    case 'workspace':
      return 'the workspace';
    case 'server':
      return 'the server';
  }
}
