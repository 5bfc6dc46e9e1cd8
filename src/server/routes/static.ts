/**
 * Serves the built editor UI (dist/ui, from `vite build`): hashed files under `/assets/`, and
 * index.html for the app routes `/` and `/n/*` (the UI routes in the browser). Never a file
 * outside dist/ui: only paths of plain segments are looked up, and the resolved file must lie
 * inside the folder. When the UI is not built, the requests fall through to the next handler.
 * The UI itself is public (it is only code); the API behind it needs the session. `null` as the
 * folder means "no UI" (tests).
 *
 * Also owns the browser-facing header policy of `quire serve` (`securityHeaders`): the
 * Content-Security-Policy, nosniff, no referrer, and caching (hashed assets forever, everything
 * else never stored). docs/security.md explains the policy.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context, type MiddlewareHandler, type Next } from 'hono';
import type { ServerEnv } from '../deps.js';
import { FRAME_SIZER } from '../../protocol/html-frame.js';

/**
 * The editor's Content-Security-Policy, sent on every response (on the HTML it is the one that
 * counts; on the rest it costs nothing and covers a JSON or asset opened as a document).
 * - script-src 'self' and one hash: the UI is bundled files only; no inline script, no eval, but
 *   the sizing script of an `html` output's sandboxed frame (src/protocol/html-frame.ts), allowed
 *   by its hash: a srcdoc frame inherits this policy, so nothing else inline runs there. Vega charts
 *   compile their expressions with vega's AST interpreter (VegaOutput: `ast: true`) instead of
 *   `new Function`, and zod runs jitless in the browser (src/ui/strict-csp.ts).
 * - style-src 'unsafe-inline': CodeMirror injects <style> elements for its themes, and Vega's SVG
 *   and sanitized HTML outputs carry style attributes. Styles cannot run code.
 * - connect-src 'self': the API and the editor's WebSocket; CSP Level 3 matches ws:/wss: of the
 *   same host and port to 'self' (verified in Chromium by tests/e2e/security-headers.test.ts).
 *   So a chart's data must be inline (`data.values`): a spec whose data is a remote `url` cannot
 *   load it in the editor.
 * - img-src data: blob:: SVG outputs are shown as data: URLs; images from elsewhere are not
 *   loaded (an output cannot beacon to a third party).
 */
const FRAME_SIZER_HASH = `'sha256-${createHash('sha256').update(FRAME_SIZER).digest('base64')}'`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `script-src 'self' ${FRAME_SIZER_HASH}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite names every file under /assets/ by its content hash: a new build is a new URL. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed assets: always asked again (it is tiny). */
export const REVALIDATE = 'no-cache';
/** API answers, the login redirect (it sets the session), errors: never kept by a cache. */
export const NO_STORE = 'no-store';

/**
 * The headers of every response, outermost middleware of the app. A route that chose its own
 * Cache-Control (the UI files below) keeps it; everything else is `no-store`.
 */
export function securityHeaders(): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    // The login URL carries the token: it must not leak through Referer or a cache.
    c.header('Referrer-Policy', 'no-referrer');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', NO_STORE);
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * dist/ui of this package: found by walking up from this module, which runs from src/ (tsx),
 * dist/server/routes/ (tsc) or dist/bundle/ (the bundled CLI).
 */
export function defaultUiDir(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'dist', 'ui');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** A relative path of plain segments (no `.`, `..`, empty, backslash or NUL), else undefined. */
function safeRelative(path: string): string | undefined {
  const segments = path.split('/');
  const plain = segments.every(
    (s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\\') && !s.includes('\0') && !s.includes('%'),
  );
  return plain ? segments.join(sep) : undefined;
}

export function staticRoutes(uiDir: string | null | undefined = defaultUiDir()): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  if (!uiDir) return routes;
  const root = realpathSync(uiDir);

  async function file(relative: string): Promise<{ body: Buffer; type: string } | undefined> {
    const local = safeRelative(relative);
    if (!local) return undefined;
    const full = join(root, local);
    try {
      // realpath: a symlink inside dist/ui must not lead out of it either.
      const real = realpathSync(full);
      if (!real.startsWith(root + sep) || !(await stat(real)).isFile()) return undefined;
      return { body: await readFile(real), type: CONTENT_TYPES[extname(real)] ?? 'application/octet-stream' };
    } catch {
      return undefined;
    }
  }

  const serve = async (c: Context<ServerEnv>, next: Next, relative: string, cache: string) => {
    const found = await file(relative);
    if (!found) return next();
    return c.body(new Uint8Array(found.body), 200, {
      'content-type': found.type,
      'cache-control': cache,
      // The policy travels with the files even when this router is mounted without the app's
      // middleware (securityHeaders sets the same value again).
      'content-security-policy': CONTENT_SECURITY_POLICY,
    });
  };

  const index = (c: Context<ServerEnv>, next: Next) => serve(c, next, 'index.html', REVALIDATE);
  routes.get('/', index);
  routes.get('/n/*', index);
  routes.get('/assets/*', (c, next) => serve(c, next, c.req.path.slice(1), IMMUTABLE));
  return routes;
}
