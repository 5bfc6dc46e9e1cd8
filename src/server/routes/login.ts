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
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrfToken, LOGIN_CSRF_FIELD, loginCsrfCookieName, newLoginCsrf, validLoginCsrf } from '../csrf.js';
import type { ServerEnv, ServerDeps } from '../deps.js';
import { errorResponse } from '../errors.js';
import { loginPage } from './login-page.js';

const COOKIE_OPTIONS = { httpOnly: true, sameSite: 'Strict', path: '/' } as const;
/** The login form's pre-session token lives an hour: long enough to type, short if a cookie leaks. */
const LOGIN_CSRF_COOKIE = { ...COOKIE_OPTIONS, maxAge: 3600 } as const;
/** A name (≤ 64 chars), a password (≤ 1 KiB, src/auth/password.ts), a token and `next`: 16 KiB is ample. */
export const MAX_LOGIN_BODY = 16 * 1024;
const MAX_NEXT = 2048;

/**
 * Where a login may send the browser: a path of this app, given as `next`, or undefined. It must
 * start with one `/` (not `//` nor `/\`, which browsers read as another host), carry no scheme,
 * backslash or control character, and stay so once percent-decoded (`/%2F%2Fevil.com`); and, as a
 * last check, resolve to our own origin.
 */
export function safeNext(next: string | undefined): string | undefined {
  if (!next || next.length > MAX_NEXT) return undefined;
  let decoded = next;
  // Decoded until it no longer changes (a few rounds at most): a double-encoded `//` is `//` too.
  for (let round = 0; round < 3; round++) {
    let once: string;
    try {
      once = decodeURIComponent(decoded);
    } catch {
      return undefined;
    }
    if (once === decoded) break;
    decoded = once;
  }
  for (const form of [next, decoded]) {
    if (!form.startsWith('/') || form.startsWith('//') || form.includes('\\')) return undefined;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(form)) return undefined;
  }
  const base = 'http://app.invalid';
  try {
    if (new URL(next, base).origin !== base) return undefined;
  } catch {
    return undefined;
  }
  return next;
}

async function discard(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  try {
    while (!(await reader.read()).done);
  } catch {
    // the client went away: nothing to answer
  }
}

/** The login form's pre-session token: the one the browser holds, else a new one (and its cookie). */
function loginCsrf(c: Context<ServerEnv>, cookieName: string): string {
  const held = getCookie(c, cookieName);
  if (held && held.length >= 32 && /^[\w-]+$/.test(held)) return held;
  const token = newLoginCsrf();
  setCookie(c, cookieName, token, LOGIN_CSRF_COOKIE);
  return token;
}

/** The port in the session cookie's name, for the login form's own cookie beside it. */
const portOf = (cookieName: string): string => cookieName.replace(/^.*_/, '');

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
    const next = safeNext(c.req.query('next'));
    // Accounts mode: a token is no way in; the form is.
    if (logins.mode === 'accounts') {
      const csrf = loginCsrf(c, loginCsrfCookieName(portOf(deps.identity().cookieName)));
      return c.html(loginPage(undefined, '', { csrf, next, sso: deps.oidc !== undefined }));
    }
    const session = logins.login(c.req.query('token'));
    if (session === undefined)
      return errorResponse(c, 401, 'unauthorized', 'the login token is missing or wrong');
    setCookie(c, deps.identity().cookieName, session, COOKIE_OPTIONS);
    const user = logins.userOf(session);
    if (user) c.set('user', user);
    return c.redirect(next ?? '/', 302);
  });
  // Before the body is parsed: a 1 MB "password" costs a length check, not a parse and a hash.
  const tooLarge = (c: Context<ServerEnv>) =>
    errorResponse(c, 413, 'payload-too-large', 'a login form is at most 16 KiB');
  const chunked = bodyLimit({ maxSize: MAX_LOGIN_BODY, onError: tooLarge });
  const smallBody: MiddlewareHandler<ServerEnv> = async (c, next) => {
    if (Number(c.req.header('content-length')) > MAX_LOGIN_BODY) {
      // Read to its end (unparsed, unkept; the app's own limit caps it) before answering: a
      // client still sending when the answer comes and the socket closes sees a reset, not 413.
      await discard(c.req.raw.body);
      return tooLarge(c);
    }
    return chunked(c, next);
  };
  routes.post('/login', smallBody, async (c) => {
    const { logins } = deps;
    if (logins.mode !== 'accounts')
      return errorResponse(
        c,
        400,
        'no-accounts',
        'this server has no accounts: log in with the URL printed by `quire serve`',
      );
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const field = (key: string): string => (typeof body[key] === 'string' ? body[key] : '');
    const name = field('name');
    const password = field('password');
    const next = safeNext(field('next'));
    const { cookieName } = deps.identity();
    const csrfCookie = loginCsrfCookieName(portOf(cookieName));
    // Login CSRF: only our own form (its token equals its cookie) may log this browser in.
    if (!validLoginCsrf(field(LOGIN_CSRF_FIELD), getCookie(c, csrfCookie))) {
      const csrf = loginCsrf(c, csrfCookie);
      return c.html(
        loginPage('The form expired: log in again.', name, { csrf, next, sso: deps.oidc !== undefined }),
        403,
      );
    }
    const csrf = field(LOGIN_CSRF_FIELD);
    const result = await logins.login(name, password, clientAddress(c), getCookie(c, cookieName));
    if (!result.ok && result.reason === 'limited') {
      const seconds = Math.ceil(result.retryAfterMs / 1000);
      c.header('Retry-After', String(seconds));
      const minutes = Math.ceil(seconds / 60);
      const message = `Too many attempts: try again in ${minutes} min.`;
      return c.html(loginPage(message, name, { csrf, next, sso: deps.oidc !== undefined }), 429);
    }
    if (!result.ok)
      return c.html(
        loginPage('Wrong name or password.', name, { csrf, next, sso: deps.oidc !== undefined }),
        401,
      );
    setCookie(c, cookieName, result.sessionId, COOKIE_OPTIONS);
    const { id, name: userName, role } = result.account;
    c.set('user', { id, name: userName, role });
    return c.redirect(next ?? '/', 302);
  });
  // The UI's CSRF token for its session (csrf.ts); public in the table, it gives only the caller's own.
  routes.get('/api/csrf', async (c) => {
    const sessionId = getCookie(c, deps.identity().cookieName);
    // The cookie's own session, else null (not logged in; a bearer token needs no CSRF token).
    const live = sessionId !== undefined && (await deps.logins.userOf(sessionId)) !== undefined;
    return c.json({ token: live ? csrfToken(sessionId) : null });
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
