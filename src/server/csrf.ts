/**
 * CSRF tokens of `quire serve` (issue 10, docs/security.md): a state-changing request (anything
 * but GET/HEAD/OPTIONS) that a session cookie authenticates must also carry, in the
 * `X-Quire-CSRF` header, the token of that session. A cross-site page can make a browser send the
 * cookie (SameSite=Strict is the first line, this the second: a sibling subdomain, an old
 * browser) but cannot read the token nor set the header.
 *
 * - The token is derived from the session id: HMAC-SHA256 keyed with a fixed label. It needs no
 *   state and no key of its own, so every server sharing one store (and a restarted one) accepts
 *   the token of any session it accepts, in both login modes. Its secret is the session id (256
 *   random bits, only ever in an HttpOnly cookie): who lacks the id cannot compute the token, and
 *   the token does not give the id back. A key kept in memory would break a load-balanced pair; one
 *   kept in the store would add nothing the session id does not already give.
 * - The UI asks for it with `GET /api/csrf` (same-origin only: no CORS, and the answer is JSON
 *   behind the session), not from a cookie: cookie names carry the server's port, which the page
 *   does not know behind a proxy.
 * - A request authenticated by an API token (`Authorization: Bearer qk_…`) needs none: no browser
 *   attaches that header by itself.
 * - Login CSRF (a page logging the victim into the attacker's account): the accounts login form
 *   carries a random pre-session token that must equal the one in an HttpOnly, SameSite=Strict
 *   cookie set with the form. Single-user mode needs none: its only way in is the server's secret
 *   login token, which an attacker does not have.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The request header the UI puts the token in. */
export const CSRF_HEADER = 'x-quire-csrf';

/** The form field and cookie of the login form's pre-session token. */
export const LOGIN_CSRF_FIELD = 'csrf';
export const loginCsrfCookieName = (port: string | number): string => `quire_login_csrf_${port}`;

const LABEL = 'quire-csrf-v1';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request with this method must carry a CSRF token (when a session cookie authenticates it). */
export const changesState = (method: string): boolean => !SAFE_METHODS.has(method.toUpperCase());

/** The CSRF token of a session. */
export const csrfToken = (sessionId: string): string =>
  createHmac('sha256', LABEL).update(sessionId).digest('base64url');

/** Constant-time equality of two tokens (a length difference is not secret). */
export function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `given` (the header) is the token of `sessionId`. */
export const validCsrf = (sessionId: string, given: string | undefined): boolean =>
  sameToken(given, csrfToken(sessionId));

/** A new pre-session token for the login form. */
export const newLoginCsrf = (): string => randomBytes(32).toString('base64url');

/** Whether the login form's field matches its cookie; both must be there. */
export const validLoginCsrf = (field: string | undefined, cookie: string | undefined): boolean =>
  cookie !== undefined && cookie.length >= 32 && sameToken(field, cookie);
