/** `GET /api/openapi.json`: the API's OpenAPI document (openapi.ts), built once per server. */
import { Hono } from 'hono';
import type { ServerDeps, ServerEnv } from '../deps.js';
import { openApiDocument } from '../openapi.js';

export function openApiRoutes(deps: Pick<ServerDeps, 'identity'>): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  let document: object | undefined;
  routes.get('/openapi.json', (c) => c.json((document ??= openApiDocument(deps.identity().cookieName))));
  return routes;
}
