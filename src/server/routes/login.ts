/**
 * `/login?token=…`: exchanges the printed login token for a session cookie, then goes to `/`.
 * Public (access.ts); the gate records the attempt as a `login` event, with the user it made.
 */
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { ServerEnv, ServerDeps } from '../deps.js';
import { errorResponse } from '../errors.js';

export function loginRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/login', (c) => {
    const session = deps.logins.login(c.req.query('token'));
    if (session === undefined)
      return errorResponse(c, 401, 'unauthorized', 'the login token is missing or wrong');
    setCookie(c, deps.identity().cookieName, session, { httpOnly: true, sameSite: 'Strict', path: '/' });
    const user = deps.logins.userOf(session);
    if (user) c.set('user', user);
    return c.redirect('/', 302);
  });
  return routes;
}
