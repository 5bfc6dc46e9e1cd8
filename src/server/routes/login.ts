/**
 * `/login?token=…`: exchanges the printed login token for a session cookie, then goes to `/`.
 * `POST /api/logout`: ends the caller's login (the id is forgotten, so the cookie stops working
 * even if a copy of it survives) and clears the cookie. Both public (access.ts): logging in needs
 * no session, and anyone may end their own; the gate records each as an event (`login`, with the
 * user it made; `logout`, with the user it ended).
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ServerEnv, ServerDeps } from '../deps.js';
import { errorResponse } from '../errors.js';

const COOKIE_OPTIONS = { httpOnly: true, sameSite: 'Strict', path: '/' } as const;

export function loginRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/login', (c) => {
    const session = deps.logins.login(c.req.query('token'));
    if (session === undefined)
      return errorResponse(c, 401, 'unauthorized', 'the login token is missing or wrong');
    setCookie(c, deps.identity().cookieName, session, COOKIE_OPTIONS);
    const user = deps.logins.userOf(session);
    if (user) c.set('user', user);
    return c.redirect('/', 302);
  });
  // A POST, so that a link, a prefetch or an <img> cannot log anyone out (and the Origin check applies).
  routes.post('/api/logout', (c) => {
    const { cookieName } = deps.identity();
    const ended = deps.logins.logout(getCookie(c, cookieName));
    deleteCookie(c, cookieName, COOKIE_OPTIONS);
    c.set('detail', { ended });
    return c.body(null, 204);
  });
  return routes;
}
