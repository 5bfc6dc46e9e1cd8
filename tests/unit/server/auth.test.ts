/** The security baseline's pure parts: login tokens, sessions, allowed origins, the Origin rule. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOrigin, ownOrigins, sessionCookieName, Logins } from '../../../src/server/auth.js';

test('a session is created only for the exact token', () => {
  const sessions = new Logins();
  assert.ok(sessions.token.length >= 40, 'the token has at least 32 random bytes');
  assert.equal(sessions.login(undefined), undefined);
  assert.equal(sessions.login(''), undefined);
  assert.equal(sessions.login(sessions.token.slice(1)), undefined);
  assert.equal(sessions.login(sessions.token + 'x'), undefined);
  const id = sessions.login(sessions.token);
  assert.ok(id);
  assert.notEqual(id, sessions.token, 'the session id is not the token');
  assert.equal(sessions.userOf(id)?.id, 'owner');
  assert.equal(sessions.userOf('forged'), undefined);
  sessions.logout(id);
  assert.equal(sessions.userOf(id), undefined);
});

test('logout ends one login, says whether there was one, and tells the listeners', () => {
  const logins = new Logins();
  const a = logins.login(logins.token)!;
  const b = logins.login(logins.token)!;
  const ended: string[] = [];
  const unlisten = logins.onLogout((id) => ended.push(id));
  assert.equal(logins.logout(a), true);
  assert.equal(logins.logout(a), false, 'already ended');
  assert.equal(logins.logout(undefined), false);
  assert.equal(logins.logout('forged'), false);
  assert.deepEqual(ended, [a], 'told once, for the login that ended');
  assert.equal(logins.userOf(b)?.id, 'owner', 'the other login goes on');
  unlisten();
  logins.logout(b);
  assert.deepEqual(ended, [a]);
});

test('each server start has its own token', () => {
  assert.notEqual(new Logins().token, new Logins().token);
});

test('a loopback server accepts its three loopback origins and nothing else', () => {
  assert.deepEqual(
    [...ownOrigins('127.0.0.1', 8123)],
    ['http://127.0.0.1:8123', 'http://localhost:8123', 'http://[::1]:8123'],
  );
  assert.deepEqual(
    [...ownOrigins('10.0.0.5', 80, ['https://nb.example.com'])],
    ['http://10.0.0.5:80', 'https://nb.example.com'],
  );
  assert.equal(sessionCookieName(8123), 'quire_session_8123');
});

const allowed = ownOrigins('127.0.0.1', 8123);
const cases: Array<[method: string, origin: string | undefined, webSocket: boolean, ok: boolean]> = [
  ['GET', 'https://evil.example', false, true],
  ['HEAD', 'https://evil.example', false, true],
  ['PUT', undefined, false, true],
  ['PUT', 'http://127.0.0.1:8123', false, true],
  ['POST', 'http://localhost:8123', false, true],
  ['PUT', 'https://evil.example', false, false],
  ['DELETE', 'http://127.0.0.1:9999', false, false],
  ['PUT', 'null', false, false],
  ['put', 'https://evil.example', false, false],
  ['GET', 'http://127.0.0.1:8123', true, true],
  ['GET', 'https://evil.example', true, false],
  ['GET', undefined, true, false],
];
for (const [method, origin, webSocket, ok] of cases) {
  test(`Origin ${origin ?? '(none)'} on ${method}${webSocket ? ' upgrade' : ''} is ${ok ? 'allowed' : 'refused'}`, () => {
    const refused = checkOrigin({ method, origin, webSocket }, allowed);
    assert.equal(refused === null, ok, refused ?? '');
  });
}

// Chromium posts our own login form with `Origin: null` (Referrer-Policy: no-referrer): only the
// browser's own `Sec-Fetch-Site: same-origin` lets that through, never on an upgrade.
const nullOrigins: [fetchSite: string | undefined, webSocket: boolean, ok: boolean][] = [
  ['same-origin', false, true],
  ['same-site', false, false],
  ['cross-site', false, false],
  ['none', false, false],
  [undefined, false, false],
  ['same-origin', true, false],
];
for (const [fetchSite, webSocket, ok] of nullOrigins) {
  test(`Origin null with Sec-Fetch-Site ${fetchSite ?? '(none)'}${webSocket ? ' on an upgrade' : ''} is ${ok ? 'allowed' : 'refused'}`, () => {
    const refused = checkOrigin(
      { method: webSocket ? 'GET' : 'POST', origin: 'null', webSocket, fetchSite },
      allowed,
    );
    assert.equal(refused === null, ok, refused ?? '');
  });
}
