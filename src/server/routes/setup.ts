/**
 * The first admin of a server asked to run with accounts while its store has none: `GET /setup`
 * with the one-time token that `quire serve` printed shows a form (name, password), `POST /setup`
 * creates the admin and logs them in (src/auth/setup.ts: the token dies with it). Public in the
 * access table: the token is the credential. No script, nothing from elsewhere; the token travels
 * in the form's hidden field, not in a cookie.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { AccountError } from '../../auth/users.js';
import { setupTokenWorks, useSetupToken } from '../../auth/setup.js';
import type { ServerDeps, ServerEnv } from '../deps.js';
import { noticePage } from './oidc.js';

const SESSION_COOKIE = { httpOnly: true, sameSite: 'Strict', path: '/' } as const;

const escape = (text: string): string => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function setupPage(token: string, message?: string, name = ''): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Set up · Quire</title>
<style>body{font:16px system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}button{margin-top:1rem;padding:.4rem 1.2rem;font:inherit}p.error{color:#b00020}</style>
</head>
<body>
<h1>Create the first admin</h1>
<p>This server has no users yet. The admin you create here can add the others (<code>quire users add</code>).</p>
${message ? `<p class="error" role="alert">${escape(message)}</p>\n` : ''}<form method="post" action="/setup">
<input type="hidden" name="token" value="${escape(token)}">
<label for="name">Name</label><input id="name" name="name" autocomplete="username" required value="${escape(name)}" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="new-password" required>
<button type="submit">Create admin</button>
</form>
</body>
</html>
`;
}

const DEAD = noticePage(
  'Setup link not valid',
  'This setup link was used, expired, or the server already has users. Log in instead, or restart `quire serve --accounts` for a new link while there are no users.',
  { href: '/login', text: 'Log in' },
);

function clientAddress(c: Context<ServerEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

export function setupRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/setup', async (c) => {
    const { logins } = deps;
    const token = c.req.query('token') ?? '';
    if (logins.mode !== 'accounts' || !(await setupTokenWorks(logins.accounts.db, token, Date.now())))
      return c.html(DEAD, 410);
    return c.html(setupPage(token));
  });
  routes.post('/setup', async (c) => {
    const { logins } = deps;
    if (logins.mode !== 'accounts') return c.html(DEAD, 410);
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const field = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
    const token = field('token');
    const name = field('name');
    let result;
    try {
      const address = clientAddress(c);
      result = await useSetupToken(
        logins.accounts.db,
        token,
        { name, password: field('password') },
        { policy: logins.accounts.policy, now: Date.now(), ...(address !== undefined ? { address } : {}) },
      );
    } catch (error) {
      if (error instanceof AccountError) return c.html(setupPage(token, error.message, name), 400);
      throw error;
    }
    if (!result.ok) return c.html(DEAD, 410);
    setCookie(c, deps.identity().cookieName, result.sessionId, SESSION_COOKIE);
    const { id, name: userName, role } = result.account;
    c.set('user', { id, name: userName, role });
    c.set('detail', { setup: true });
    return c.redirect('/', 302);
  });
  return routes;
}
