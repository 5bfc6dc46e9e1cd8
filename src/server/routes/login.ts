/**
 * Logging in and out. Single-user mode: `/login?token=…` exchanges the printed login token for a
 * session cookie, then goes to `/`. Accounts mode (the store has users): `GET /login` is the login
 * form and `POST /login` checks a name and password (accounts.ts: limits, rotation, the session in
 * the store); a wrong one gets the form again (401), too many attempts 429 with Retry-After.
 * `POST /api/logout`: ends the caller's login (the id is forgotten, so the cookie stops working
 * even if a copy of it survives) and clears the cookie. All public (access.ts): logging in needs
 * no session, and anyone may end their own; the gate records each as an event (`login`, with the
 * user it made; `logout`, with the user it ended). No event carries a name that was typed, only
 * the user a login made.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ServerEnv, ServerDeps } from '../deps.js';
import { errorResponse } from '../errors.js';
import { loginPage } from './login-page.js';

const COOKIE_OPTIONS = { httpOnly: true, sameSite: 'Strict', path: '/' } as const;

/** The client's address, for the per-address login limit (a proxy in front: its own address). */
function clientAddress(c: Context<ServerEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // not served by node (app.request in tests)
  }
}

export function loginRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/login', async (c) => {
    const { logins } = deps;
    // Accounts mode: a token is no way in; the form is.
    if (logins.mode === 'accounts') return c.html(loginPage(undefined, '', { sso: deps.oidc !== undefined }));
    const session = logins.login(c.req.query('token'));
    if (session === undefined)
      return errorResponse(c, 401, 'unauthorized', 'the login token is missing or wrong');
    setCookie(c, deps.identity().cookieName, session, COOKIE_OPTIONS);
    const user = logins.userOf(session);
    if (user) c.set('user', user);
    return c.redirect('/', 302);
  });
  routes.post('/login', async (c) => {
    const { logins } = deps;
    if (logins.mode !== 'accounts')
      return errorResponse(
        c,
        400,
        'no-accounts',
        'this server has no accounts: log in with the URL printed by `quire serve`',
      );
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const name = typeof body.name === 'string' ? body.name : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const { cookieName } = deps.identity();
    const result = await logins.login(name, password, clientAddress(c), getCookie(c, cookieName));
    if (!result.ok && result.reason === 'limited') {
      const seconds = Math.ceil(result.retryAfterMs / 1000);
      c.header('Retry-After', String(seconds));
      const minutes = Math.ceil(seconds / 60);
      return c.html(loginPage(`Too many attempts: try again in ${minutes} min.`, name), 429);
    }
    if (!result.ok) return c.html(loginPage('Wrong name or password.', name), 401);
    setCookie(c, cookieName, result.sessionId, COOKIE_OPTIONS);
    const { id, name: userName, role } = result.account;
    c.set('user', { id, name: userName, role });
    return c.redirect('/', 302);
  });
  // A POST, so that a link, a prefetch or an <img> cannot log anyone out (and the Origin check applies).
  routes.post('/api/logout', async (c) => {
    const { cookieName } = deps.identity();
    const ended = await deps.logins.logout(getCookie(c, cookieName));
    deleteCookie(c, cookieName, COOKIE_OPTIONS);
    c.set('detail', { ended });
    return c.body(null, 204);
  });
  return routes;
}
