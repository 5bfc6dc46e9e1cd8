/**
 * The HTTP application of `quire serve`, without a listening socket (server.ts binds it). Owns
 * the middleware order: headers, Origin check, body limit, session on `/api/*`, then the routes;
 * and the mapping of every error to a JSON answer. Routes are thin handlers over WorkspaceFiles.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import type { Authorize, Sessions, User } from './auth.js';
import { checkOrigin } from './auth.js';
import { describeError, errorResponse } from './errors.js';
import { metricsRoute } from '../metrics/http.js';
import type { QuireMetrics } from '../metrics/registry.js';
import { loginRoutes } from './routes/login.js';
import { notebookRoutes } from './routes/notebooks.js';
import { reportPolicy, runRoutes } from './routes/runs.js';
import { runPageRoutes } from './routes/run-page.js';
import { securityHeaders, staticRoutes } from './routes/static.js';
import type { WorkspaceFiles } from './workspace-files.js';
import type { RunStore } from '../store/run-store.js';
import type { JobService } from '../jobs/service.js';

/** Facts known only once the server listens (the port, when 0 was asked for). */
export interface ServerIdentity {
  /** origins a state-changing request may come from */
  origins: Set<string>;
  /** the session cookie's name */
  cookieName: string;
}

export interface ServerDeps {
  files: WorkspaceFiles;
  sessions: Sessions;
  authorize: Authorize;
  identity: () => ServerIdentity;
  /** where unexpected errors go (they are never sent to the client) */
  logError: (error: unknown) => void;
  /** the run history (`/api/runs`): every run of the workspace's notebooks */
  store: RunStore;
  /** queues runs (`POST /api/runs`); absent when the server executes no runs */
  jobs?: JobService;
  /** largest accepted request body, bytes */
  maxBodyBytes?: number;
  /** served at `GET /metrics` without a session (they hold no notebook content) */
  metrics?: QuireMetrics;
  /** when set, `/metrics` needs `Authorization: Bearer <metricsToken>` instead */
  metricsToken?: string | undefined;
}

export type ServerEnv = { Variables: { user: User } };

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

export function createApp(deps: ServerDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();

  // Outermost, so it runs last: a report keeps its own, stricter policy (routes/runs.ts).
  app.use('/api/runs/:id/report', reportPolicy());
  // CSP, nosniff, no referrer, caching: one policy, owned by routes/static.ts (docs/security.md).
  app.use(securityHeaders());

  app.use(async (c, next) => {
    const refused = checkOrigin(
      { method: c.req.method, origin: c.req.header('origin') },
      deps.identity().origins,
    );
    if (refused) return errorResponse(c, 403, 'forbidden-origin', refused);
    await next();
  });

  app.use(
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? DEFAULT_MAX_BODY,
      onError: (c) => errorResponse(c, 413, 'payload-too-large', 'the request body is too large'),
    }),
  );

  // Before the session check: Prometheus has no cookie; a configured token protects it instead.
  if (deps.metrics) app.route('/', metricsRoute(deps.metrics, { token: deps.metricsToken }));

  app.use('/api/*', async (c, next) => {
    const user = deps.sessions.userOf(getCookie(c, deps.identity().cookieName));
    if (!user) return errorResponse(c, 401, 'unauthorized', 'log in with the URL printed by `quire serve`');
    c.set('user', user);
    await next();
  });

  app.route('/', loginRoutes(deps));
  app.route('/api/notebooks', notebookRoutes(deps));
  app.route('/api/runs', runRoutes(deps));
  // An alert's link to a run (jobs/alerts.ts): a page, outside /api (it answers without a session).
  app.route('/runs', runPageRoutes(deps));
  app.route('/', staticRoutes());

  // The editor UI is not built yet (issue 3): a placeholder so the login redirect lands somewhere.
  app.get('/', (c) => c.text('Quire editor: the UI is not built yet. The API is under /api.'));

  app.notFound((c) => errorResponse(c, 404, 'not-found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    const { status, body } = describeError(error, deps.logError);
    return c.json(body, status);
  });
  return app;
}
