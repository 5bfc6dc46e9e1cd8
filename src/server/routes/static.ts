/**
 * Serves the built editor UI (dist/ui, from `vite build`): hashed files under `/assets/`, and
 * index.html for the app routes `/` and `/n/*` (the UI routes in the browser). Never a file
 * outside dist/ui: only paths of plain segments are looked up, and the resolved file must lie
 * inside the folder. When the UI is not built, the requests fall through to the next handler.
 * The UI itself is public (it is only code); the API behind it needs the session. `null` as the
 * folder means "no UI" (tests).
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context, type Next } from 'hono';
import type { ServerEnv } from '../app.js';

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

  const index = async (c: Context<ServerEnv>, next: Next) => {
    const found = await file('index.html');
    if (!found) return next();
    return c.body(new Uint8Array(found.body), 200, { 'content-type': found.type });
  };

  routes.get('/', index);
  routes.get('/n/*', index);
  routes.get('/assets/*', async (c, next) => {
    const found = await file(c.req.path.slice(1));
    if (!found) return next();
    return c.body(new Uint8Array(found.body), 200, { 'content-type': found.type });
  });
  return routes;
}
