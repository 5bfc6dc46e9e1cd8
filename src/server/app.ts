/**
 * The HTTP application of `quire serve`, without a listening socket (server.ts binds it). Owns
 * the middleware order: headers, Host and Origin checks, body limit, then the gate (gate.ts: session,
 * authorization from the access table, events), then the routes; and the mapping of every error
 * to a JSON answer. Routes are thin handlers over WorkspaceFiles and the run store.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { checkHost, checkOrigin } from './auth.js';
import type { ServerDeps, ServerEnv } from './deps.js';
import { describeError, errorResponse } from './errors.js';
import { logEventSink } from './events.js';
import { httpGate } from './gate.js';
import { createLogger } from '../metrics/log.js';
import { metricsRoute } from '../metrics/http.js';
import { AuditLog } from '../audit/log.js';
import { auditRoutes } from './routes/audit.js';
import { loginRoutes } from './routes/login.js';
import { oidcRoutes } from './routes/oidc.js';
import { setupRoutes } from './routes/setup.js';
import { notebookRoutes } from './routes/notebooks.js';
import { openApiRoutes } from './routes/openapi.js';
import { reportPolicy, runRoutes } from './routes/runs.js';
import { runPageRoutes } from './routes/run-page.js';
import { securityHeaders, staticRoutes } from './routes/static.js';

export type { ServerDeps, ServerEnv, ServerIdentity } from './deps.js';

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

export function createApp(deps: ServerDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();

  // Outermost, so it runs last: a report keeps its own, stricter policy (routes/runs.ts).
  app.use('/api/runs/:id/report', reportPolicy());
  // CSP, nosniff, no referrer, caching: one policy, owned by routes/static.ts (docs/security.md).
  app.use(securityHeaders());

  app.use(async (c, next) => {
    const wrongHost = checkHost(c.req.header('host'), deps.identity().origins);
    if (wrongHost) return errorResponse(c, 421, 'wrong-host', wrongHost);
    const refused = checkOrigin(
      { method: c.req.method, origin: c.req.header('origin'), fetchSite: c.req.header('sec-fetch-site') },
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

  // The last middleware: every route below is one of the access table's (access.ts).
  app.use(
    httpGate({
      ...deps,
      // read per request: a server started without users turns to accounts when one is added
      get logins() {
        return deps.logins;
      },
      events: deps.events ?? logEventSink(createLogger({ base: { component: 'serve' } })),
    }),
  );

  // Public in the table: Prometheus has no cookie; a configured token protects it instead.
  if (deps.metrics) app.route('/', metricsRoute(deps.metrics, { token: deps.metricsToken }));
  app.route('/', loginRoutes(deps));
  app.route('/', oidcRoutes(deps));
  app.route('/', setupRoutes(deps));
  app.route('/api', openApiRoutes(deps));
  app.route('/api/notebooks', notebookRoutes(deps));
  app.route('/api/runs', runRoutes(deps));
  // Without the server's writer (an app built for tests), the log is read as it is.
  app.route(
    '/api/audit',
    auditRoutes(deps.audit ?? { log: new AuditLog(deps.store.db), flush: async () => {} }),
  );
  // An alert's link to a run (jobs/alerts.ts): a page, outside /api (it answers without a session).
  app.route('/runs', runPageRoutes(deps));
  app.route('/', staticRoutes(deps.uiDir));

  // The editor UI is not built yet (issue 3): a placeholder so the login redirect lands somewhere.
  app.get('/', (c) => c.text('Quire editor: the UI is not built yet. The API is under /api.'));

  app.notFound((c) => errorResponse(c, 404, 'not-found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    const { status, body } = describeError(error, deps.logError);
    return c.json(body, status);
  });
  return app;
}
