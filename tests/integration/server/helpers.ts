/** Shared set-up for the server tests: real workspaces in the temp folder. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { csrfToken } from '../../../src/server/csrf.js';

/** A temp folder holding `files` (paths relative to it); its real path. */
export function makeWorkspace(files: Record<string, string> = {}): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'quire-server-')));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function removeWorkspace(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const notebook = (title: string, tags: string[] = [], body = '```ts\nconst x = 1;\n```\n'): string =>
  `---\ntitle: ${title}\ntags: [${tags.join(', ')}]\n---\n\n# ${title}\n\n${body}`;

/** A notebook with an unterminated code fence: a parse error on line 3. */
export const BROKEN = '# Broken\n\n```ts\nconst x = 1;\n';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true or `ms` pass. */
export async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/**
 * The headers of a state-changing request from the logged-in UI: the session cookie
 * (`name=value`) and its CSRF token (src/server/csrf.ts), as the UI sends it.
 */
export function withCsrf(cookie: string): Record<string, string> {
  return { cookie, 'x-quire-csrf': csrfToken(cookie.slice(cookie.indexOf('=') + 1)) };
}

/** The accounts login form's pre-session token and its cookie (GET /login), for a POST /login. */
export async function loginForm(url: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${url}/login`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf || !cookie) throw new Error('the login form has no CSRF token');
  return { cookie, csrf };
}

/**
 * Logs `name` in through the accounts login form as a browser does (its pre-session CSRF token
 * and cookie first); resolves to the session cookie (`quire_session_<port>=…`).
 */
export async function accountLogin(url: string, name: string, password: string): Promise<string> {
  const form = await loginForm(url);
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ name, password, csrf: form.csrf }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, cookie: form.cookie },
  });
  if (response.status !== 302) throw new Error(`login ${name}: ${response.status} ${await response.text()}`);
  const session = response.headers.getSetCookie().find((c) => c.startsWith('quire_session_'));
  if (!session) throw new Error(`login ${name}: no session cookie`);
  return session.split(';')[0]!;
}
