/**
 * The access table: every HTTP route (method + Hono path pattern, as `app.routes` lists it) and
 * every WebSocket command type declares what it does (`action`) to what (`resource`, derived from
 * the request), or that it is public and why. The gate (gate.ts) is the only reader for access;
 * the OpenAPI document (openapi.ts) reads the same entries for its paths. A route or command that
 * is not here is refused. Also declared here: the event each state change emits (events.ts).
 *
 * A resource names a notebook by its path after the workspace's path rules (`notebook()` of the
 * request resolves it, refuses a bad path with the routes' statuses, and keeps the result for the
 * handler), so a per-folder grant can match it by prefix; a run carries its notebook's path (looked
 * up in the run store), so the same grants apply to the run.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { ClientCommand, CommandOf } from '../protocol/index.js';
import * as api from '../protocol/api.js';
import type { Action, Resource } from './auth.js';
import type { EventDetail } from './events.js';
import { DeleteRequest, DeleteResponse } from './routes/notebooks.js';
import { runPageRefusal } from './routes/run-page.js';

/** What a table entry may read of an HTTP request to name its resource and event. */
export interface RouteRequest {
  /** the route's path params, decoded once */
  params: Readonly<Record<string, string>>;
  query(name: string): string | undefined;
  /** the body as JSON, read once and kept for the handler; undefined when it is not JSON */
  json(): Promise<unknown>;
  /**
   * A notebook resource for a workspace path; throws PathError (400/403) for a bad one. The
   * resolved path is kept for the handler (`c.var.notebook`), which does not resolve it again.
   */
  notebook(path: string): Resource;
  /**
   * A run as a resource, with its notebook's path from the run store, so grants on the notebook
   * apply to its runs. An unknown run has no path (the handler answers 404 for it).
   */
  run(id: string): Promise<Resource>;
}

/** The OpenAPI description of a route: its query, body and answers (protocol/api.ts schemas). */
export interface RouteDoc {
  summary: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** by status; `schema` for JSON answers, `contentType` for others (HTML, text) */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

/**
 * The event a route emits once its handler answered (any status: the outcome says how it went).
 * Its detail is the status, plus what the handler set in `c.var.detail` when it succeeded.
 */
export interface RouteEvent {
  name: string;
}

/** How a route that is not JSON (a page) says 401 and 403; default: JSON `{error, message}`. */
export type Refusal = (c: Context, status: 401 | 403, req: RouteRequest) => Response;

export type RouteAccess = RouteDoc & { event?: RouteEvent } & (
    | {
        /** why this route needs no session and no authorization */
        public: string;
      }
    | {
        action: Action;
        resource: (req: RouteRequest) => Resource | Promise<Resource>;
        refuse?: Refusal;
      }
  );

export const WORKSPACE: Resource = { kind: 'workspace' };
export const SERVER: Resource = { kind: 'server' };

const json = (description: string, schema: z.ZodType) => ({ description, schema });
const error = (description: string) => json(description, api.ErrorBody);
const html = (description: string) => ({ description, contentType: 'text/html' });

/** Every HTTP route of the app, keyed `METHOD /path/pattern` exactly as Hono registers it. */
export const ROUTES: Readonly<Record<string, RouteAccess>> = {
  'GET /login': {
    public: 'exchanges the login token printed by `quire serve` for a session cookie',
    summary: 'Log in with the token; redirects to the editor',
    query: api.LoginQuery,
    responses: {
      200: html('accounts mode: the login form (a token is no way in)'),
      302: { description: 'the session cookie is set' },
      401: error('the token is missing or wrong'),
    },
    event: { name: 'login' },
  },
  'POST /login': {
    public: 'checks a name and password for a session cookie (accounts mode): logging in needs no session',
    summary: 'Log in with a name and password (form fields `name`, `password`); redirects to the editor',
    responses: {
      302: { description: 'the session cookie is set; the one the request came with is ended' },
      400: error('this server has no accounts (single-user mode: the printed token logs in)'),
      401: html('a wrong name or password, or a disabled account: the form again'),
      429: html('too many attempts for this name or address: the form again, with Retry-After'),
    },
    event: { name: 'login' },
  },
  'GET /login/oidc': {
    public: 'starts a single sign-on login at the identity provider: logging in needs no session',
    summary: 'Single sign-on: redirects to the identity provider (state, nonce, PKCE)',
    responses: {
      302: { description: "to the provider; the login's state is kept in a short-lived cookie" },
      400: html('single sign-on is not configured'),
      503: html('the identity provider cannot be reached'),
    },
  },
  'GET /login/oidc/callback': {
    public: 'where the identity provider sends the browser back: its state and code are the credential',
    summary: 'Single sign-on callback: checks the state, exchanges the code, validates the ID token',
    responses: {
      200: html('signed in: the session cookie is set and the page moves on to the editor'),
      400: html('the state is missing, tampered, used or expired; or single sign-on is not configured'),
      401: html('the provider refused, or its answer could not be verified'),
      403: html("none of the user's groups is mapped to a role, or the account is disabled"),
    },
    event: { name: 'login' },
  },
  'GET /setup': {
    public: 'the one-time setup URL printed by `quire serve --accounts`: its token is the credential',
    summary: 'The form that creates the first admin (only while the store has no user)',
    responses: {
      200: html('the form'),
      410: html('the token is unknown, used or expired, or the store has users'),
    },
  },
  'POST /setup': {
    public:
      'creates the first admin with the one-time setup token (form field `token`): no session exists yet',
    summary: 'Create the first admin (form fields `token`, `name`, `password`); logs them in',
    responses: {
      302: { description: 'the admin exists and is logged in; the token is dead' },
      400: html('a bad name or a password the policy refuses: the form again'),
      410: html('the token is unknown, used or expired, or the store has users'),
    },
    event: { name: 'setup' },
  },
  'POST /api/logout': {
    public: "ends the caller's own login: anyone may end theirs, and without one there is nothing to end",
    summary: 'Log out: the session cookie stops working and is cleared',
    responses: {
      204: { description: 'the login is ended (if the request had one) and the cookie cleared' },
    },
    event: { name: 'logout' },
  },
  'GET /api/csrf': {
    public: "answers only the caller's own session (its cookie): the CSRF token derived from it",
    summary: 'The CSRF token of this session, for the `X-Quire-CSRF` header of state-changing requests',
    responses: {
      200: {
        description: '`{token}`; `null` without a session (an API token needs no CSRF token)',
        contentType: 'application/json',
      },
    },
  },
  'GET /metrics': {
    public:
      'Prometheus scrapes without a session cookie; a configured bearer token protects it (metrics/http.ts)',
    summary: 'Prometheus metrics (no notebook content)',
    responses: {
      200: { description: 'the Prometheus text format', contentType: 'text/plain' },
      401: error('a token is configured and the request does not carry it'),
    },
  },
  'GET /api/openapi.json': {
    public: "the API's own description: no workspace content",
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1', contentType: 'application/json' } },
  },
  'GET /api/notebooks': {
    action: 'notebook:read',
    resource: () => WORKSPACE,
    summary: "The workspace's notebooks, sorted by path",
    query: api.NotebookListQuery,
    responses: { 200: json('the notebooks', api.NotebookList) },
  },
  'GET /api/notebooks/:path{.+}': {
    action: 'notebook:read',
    resource: (req) => req.notebook(req.params.path!),
    summary: "A notebook's text, version and cells (or its parse error)",
    responses: { 200: json('the notebook', api.NotebookRead), 404: error('no such notebook') },
  },
  'PUT /api/notebooks/:path{.+}': {
    action: 'notebook:edit',
    resource: (req) => req.notebook(req.params.path!),
    summary: 'Save a notebook if it is still at `baseVersion` (null: create it)',
    body: api.SaveRequest,
    responses: {
      200: json('saved', api.SaveResponse),
      400: error('a bad path or body'),
      409: json('the file changed since it was read', api.SaveConflict),
      415: error('the body is not application/json'),
    },
    event: { name: 'notebook.saved' },
  },
  'DELETE /api/notebooks/:path{.+}': {
    action: 'notebook:edit',
    resource: (req) => req.notebook(req.params.path!),
    summary:
      "Delete a notebook if it is still at `baseVersion`: it moves to the workspace's trash (`.quire/trash/`)",
    body: DeleteRequest,
    responses: {
      200: json('deleted', DeleteResponse),
      400: error('a bad path or body'),
      404: error('no such notebook'),
      409: json('the file changed since it was read', api.SaveConflict),
      415: error('the body is not application/json'),
    },
    event: { name: 'notebook.deleted' },
  },
  'GET /api/audit': {
    action: 'admin',
    resource: () => SERVER,
    summary:
      'The audit log: the newest entries that match, oldest first (`quire audit verify` checks the chain)',
    query: api.AuditQuery,
    responses: { 200: json('the entries', api.AuditList), 400: error('a bad since or limit') },
  },
  'GET /api/runs': {
    action: 'run:read',
    resource: (req) => {
      const path = req.query('path');
      return path === undefined ? WORKSPACE : req.notebook(path);
    },
    summary: "One notebook's runs (`path`), or every run the user may read; newest first",
    query: api.RunListQuery,
    responses: { 200: json('the runs', api.RunList), 400: error('a bad path or limit') },
  },
  'POST /api/runs': {
    action: 'notebook:execute',
    // A body that does not validate names no notebook: the handler answers 400 for it.
    resource: async (req) => {
      const body = api.SubmitRunRequest.safeParse(await req.json());
      return body.success ? req.notebook(body.data.path) : WORKSPACE;
    },
    summary: 'Queue a run of a notebook as it is on disk (trigger `api`)',
    body: api.SubmitRunRequest,
    responses: {
      202: json('queued', api.SubmitRunResponse),
      400: error('a bad body, path, param or timeout'),
      429: error('the user has their quota of runs queued or running (quotas.runsPerUser)'),
      503: error('this server executes no runs'),
    },
    event: { name: 'run.queued' },
  },
  'GET /api/runs/:id': {
    action: 'run:read',
    resource: (req) => req.run(req.params.id!),
    summary: 'One run: its row, attempts, artifacts and record',
    responses: { 200: json('the run', api.RunDetail), 404: error('no such run') },
  },
  'GET /api/runs/:id/report': {
    action: 'run:read',
    resource: (req) => req.run(req.params.id!),
    summary: "The run's self-contained report (served with its own sandboxing CSP)",
    responses: { 200: html('the report'), 404: error('no such run, or it has no report yet') },
    // The report is the run's outputs leaving the server: recorded, with the run and the format.
    event: { name: 'export' },
  },
  'GET /runs/:id': {
    action: 'run:read',
    resource: (req) => req.run(req.params.id!),
    // An alert's link: a page, also when it refuses (it reloads once to get the cookie sent).
    refuse: runPageRefusal,
    summary: 'One run as a page (the target of an alert link)',
    responses: { 200: html('the run'), 404: html('no such run') },
  },
  'GET /': {
    public: 'the editor UI is code only; the API behind it needs the session',
    summary: 'The editor',
    responses: { 200: html("the editor's index.html") },
  },
  'GET /n/*': {
    public: 'the editor UI is code only; the API behind it needs the session',
    summary: 'The editor, at a notebook (a route of the UI)',
    responses: { 200: html("the editor's index.html") },
  },
  'GET /assets/*': {
    public: 'the editor UI is code only; the API behind it needs the session',
    summary: "The editor's hashed script, style and font files",
    responses: { 200: { description: 'a file of the built UI' } },
  },
};

// ---- WebSocket commands -------------------------------------------------------------------------

export interface CommandContext {
  /** the notebook path of the connection's session (after its `open`), if any */
  session: string | undefined;
  /** a workspace path resolved by the path rules; throws PathError for a bad one */
  resolve(path: string): string;
}

export interface CommandAccess<C> {
  action: Action;
  /** undefined: the command needs an open notebook and there is none */
  resource: (command: C, context: CommandContext) => Resource | undefined;
  /** a state change: the event, emitted once the session answered the command */
  event?: { name: string; detail?: (command: C) => EventDetail };
}

const sessionNotebook = (_command: unknown, { session }: CommandContext): Resource | undefined =>
  session === undefined ? undefined : { kind: 'notebook', path: session };

/** Every command of the editor protocol (protocol/commands.ts). */
export const COMMANDS: { readonly [T in ClientCommand['type']]: CommandAccess<CommandOf<T>> } = {
  // The editor's open, once per connection and notebook: an event. GET /api/notebooks/:path is
  // not one: the UI reads it to list and preview, and would write an entry per poll.
  open: {
    action: 'notebook:read',
    resource: (command, { resolve }) => ({ kind: 'notebook', path: resolve(command.path) }),
    event: { name: 'notebook.opened' },
  },
  tablePage: { action: 'notebook:read', resource: sessionNotebook },
  editCell: {
    action: 'notebook:edit',
    resource: sessionNotebook,
    event: { name: 'cell.edited', detail: (c) => ({ cellId: c.cellId }) },
  },
  insertCell: {
    action: 'notebook:edit',
    resource: sessionNotebook,
    event: { name: 'cell.inserted', detail: (c) => ({ index: c.index, language: c.language }) },
  },
  deleteCell: {
    action: 'notebook:edit',
    resource: sessionNotebook,
    event: { name: 'cell.deleted', detail: (c) => ({ cellId: c.cellId }) },
  },
  moveCell: {
    action: 'notebook:edit',
    resource: sessionNotebook,
    event: { name: 'cell.moved', detail: (c) => ({ cellId: c.cellId, index: c.index }) },
  },
  renameCell: {
    action: 'notebook:edit',
    resource: sessionNotebook,
    event: { name: 'cell.renamed', detail: (c) => ({ cellId: c.cellId, name: c.name }) },
  },
  save: {
    action: 'notebook:edit',
    resource: sessionNotebook,
    event: { name: 'notebook.saved', detail: (c) => ({ created: c.baseVersion === null }) },
  },
  saveRaw: {
    action: 'notebook:edit',
    resource: sessionNotebook,
    event: { name: 'notebook.saved', detail: (c) => ({ created: c.baseVersion === null, raw: true }) },
  },
  // Reverting discards what other writers typed into the shared session: an edit, not a read.
  revert: { action: 'notebook:edit', resource: sessionNotebook, event: { name: 'notebook.reverted' } },
  runCell: {
    action: 'notebook:execute',
    resource: sessionNotebook,
    event: { name: 'run.started', detail: (c) => ({ scope: 'cell', cellId: c.cellId }) },
  },
  runAll: {
    action: 'notebook:execute',
    resource: sessionNotebook,
    event: { name: 'run.started', detail: () => ({ scope: 'all' }) },
  },
  runStale: {
    action: 'notebook:execute',
    resource: sessionNotebook,
    event: { name: 'run.started', detail: () => ({ scope: 'stale' }) },
  },
  interrupt: { action: 'notebook:execute', resource: sessionNotebook, event: { name: 'run.interrupted' } },
  // Params are the inputs of a run, not the notebook's text: setting them re-runs, it edits nothing.
  setParams: {
    action: 'notebook:execute',
    resource: sessionNotebook,
    event: { name: 'params.changed', detail: (c) => ({ names: Object.keys(c.values) }) },
  },
};
