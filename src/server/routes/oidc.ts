/**
 * Single sign-on (accounts mode with `auth.oidc` configured; src/auth/oidc.ts does the protocol).
 * `GET /login/oidc` starts a login: the state goes into a short-lived cookie of this browser and
 * the browser to the provider. `GET /login/oidc/callback` is where the provider sends it back: on
 * success the session cookie is set exactly as a password login sets it. Both are public in the
 * access table (logging in needs no session); the callback is recorded as a `login` event.
 *
 * The state cookie is SameSite=Lax, not Strict: the callback is a top-level navigation from the
 * provider's site, which a Strict cookie would not come back with. For the same reason the callback
 * answers with a page that moves on to `/` itself rather than a redirect: a redirect chain that
 * began on another site would arrive without the new (Strict) session cookie.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { OidcFinish } from '../../auth/oidc.js';
import { PendingLoginsFull } from '../../auth/oidc-identities.js';
import type { ServerDeps, ServerEnv } from '../deps.js';

const SESSION_COOKIE = { httpOnly: true, sameSite: 'Strict', path: '/' } as const;
const STATE_PATH = '/login/oidc';

const escape = (text: string): string => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A plain page saying what happened (no script: the CSP allows none inline). */
export function noticePage(
  title: string,
  message: string,
  link?: { href: string; text: string },
  refresh?: string,
): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${
    refresh ? `<meta http-equiv="refresh" content="0;url=${escape(refresh)}">` : ''
  }<title>${escape(title)} · Quire</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p role="alert">${escape(message)}</p>
${link ? `<p><a href="${escape(link.href)}">${escape(link.text)}</a></p>\n` : ''}</body>
</html>
`;
}

function clientAddress(c: Context<ServerEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

const stateCookieName = (deps: ServerDeps): string => `${deps.identity().cookieName}_oidc`;

const AGAIN = { href: STATE_PATH, text: 'Sign in again' };

/** What the person sees when a login is refused (the detail goes to the log, not here, for `token`). */
function refusal(result: Extract<OidcFinish, { ok: false }>, issuer: string): [number, string, string] {
  switch (result.reason) {
    case 'state':
      return [
        400,
        'Sign-in expired',
        'This sign-in link is not valid any more: it was used, it expired, or it was started in another browser.',
      ];
    case 'provider':
      return [401, 'Sign-in cancelled', `The identity provider did not sign you in (${result.detail}).`];
    case 'token':
      return [401, 'Sign-in failed', 'The identity provider’s answer could not be verified.'];
    case 'no-role':
      return [
        403,
        'No access to this server',
        `You signed in at ${issuer}, but none of your groups (${result.groups?.length ? result.groups.join(', ') : 'none'}) gives access to this Quire server. Ask an admin to add you to a group that does.`,
      ];
    case 'disabled':
      return [
        403,
        'Account disabled',
        'Your account on this Quire server is disabled. Ask an admin to enable it.',
      ];
  }
}

export function oidcRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  // 400, as POST /login without accounts: the route exists, this server is not set up for it
  const notConfigured = (c: Context<ServerEnv>) =>
    c.html(noticePage('Single sign-on is off', 'This server has no single sign-on configured.'), 400);

  routes.get(STATE_PATH, async (c) => {
    const { oidc } = deps;
    if (!oidc || deps.logins.mode !== 'accounts') return notConfigured(c);
    let started: { url: string; state: string };
    try {
      started = await oidc.start();
    } catch (error) {
      if (error instanceof PendingLoginsFull) {
        c.header('Retry-After', '30');
        return c.html(
          noticePage('Sign-in busy', 'Too many sign-ins are in progress: try again in a minute.', AGAIN),
          503,
        );
      }
      deps.logError(error);
      return c.html(
        noticePage(
          'Sign-in unavailable',
          `The identity provider ${oidc.issuer} cannot be reached now.`,
          AGAIN,
        ),
        503,
      );
    }
    setCookie(c, stateCookieName(deps), started.state, {
      httpOnly: true,
      sameSite: 'Lax',
      path: STATE_PATH,
      maxAge: 600,
      // sent back only over https when the server is reached over https (a proxy in front)
      secure: oidc.redirectUri().startsWith('https:'),
    });
    return c.redirect(started.url, 302);
  });

  routes.get(`${STATE_PATH}/callback`, async (c) => {
    const { oidc, logins } = deps;
    if (!oidc || logins.mode !== 'accounts') return notConfigured(c);
    const { cookieName } = deps.identity();
    const browserState = getCookie(c, stateCookieName(deps));
    // One use: whatever comes of it, this browser's started login is over.
    deleteCookie(c, stateCookieName(deps), { path: STATE_PATH });
    const query = new URL(c.req.url).searchParams;
    const address = clientAddress(c);
    const previous = getCookie(c, cookieName);
    const result = await oidc.finish(query, browserState, {
      ...(address !== undefined ? { address } : {}),
      ...(previous !== undefined ? { previousSessionId: previous } : {}),
    });
    if (!result.ok) {
      c.set('detail', { refused: result.reason });
      if (result.reason === 'token') deps.logError(new Error(`single sign-on refused: ${result.detail}`));
      const [status, title, message] = refusal(result, oidc.issuer);
      return c.html(noticePage(title, message, AGAIN), status as 400 | 401 | 403);
    }
    setCookie(c, cookieName, result.sessionId, SESSION_COOKIE);
    const { id, name, role } = result.account;
    c.set('user', { id, name, role });
    c.set('detail', { via: 'oidc', created: result.created });
    return c.html(
      noticePage('Signed in', `Signed in as ${name} (${role}).`, { href: '/', text: 'Continue' }, '/'),
    );
  });
  return routes;
}
