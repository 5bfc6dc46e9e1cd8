/**
 * `/api/notebooks`: list (with `?q=` search), read, save. Thin handlers: decode, authorize, call
 * WorkspaceFiles, encode. A notebook that does not parse still opens: its text comes back with
 * `parseError` (line, column) so the editor can offer a raw mode to fix it.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { parseNotebook } from '../../format/index.js';
import type { Cell } from '../../format/index.js';
import type { ServerEnv, ServerDeps } from '../app.js';
import { HttpError } from '../errors.js';
import { parseErrorOf, type ParseErrorInfo } from '../scan.js';

/** The body of `PUT /api/notebooks/:path`. */
export const SaveRequest = z.object({
  text: z.string(),
  baseVersion: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a sha256 version from a read, or null for a new notebook')
    .nullable(),
});

/** The answer of `GET /api/notebooks/:path`. */
export interface NotebookResponse {
  path: string;
  text: string;
  version: string;
  cells?: Cell[];
  parseError?: ParseErrorInfo;
}

async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  // Only JSON: an HTML form cannot send it cross-site without a CORS preflight.
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported-media-type', 'the request body must be application/json');
  }
  const text = await request.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(
      400,
      'bad-request',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function decode<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
  throw new HttpError(400, 'bad-request', message);
}

function forbid(): never {
  throw new HttpError(403, 'forbidden', 'you may not do this');
}

export function notebookRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/', async (c) => {
    if (!deps.authorize(c.var.user, 'notebook:list', '*')) forbid();
    return c.json({ notebooks: await deps.files.list(c.req.query('q')) });
  });

  routes.get('/:path{.+}', async (c) => {
    const path = c.req.param('path');
    const { relative } = deps.files.resolve(path);
    if (!deps.authorize(c.var.user, 'notebook:read', relative)) forbid();
    const { text, version } = await deps.files.read(relative);
    const body: NotebookResponse = { path: relative, text, version };
    try {
      body.cells = parseNotebook(text, { path: relative }).notebook.cells;
    } catch (error) {
      const info = parseErrorOf(error);
      if (!info) throw error;
      body.parseError = info;
    }
    return c.json(body);
  });

  routes.put('/:path{.+}', async (c) => {
    const path = c.req.param('path');
    const { relative } = deps.files.resolve(path);
    if (!deps.authorize(c.var.user, 'notebook:write', relative)) forbid();
    const { text, baseVersion } = decode(SaveRequest, await readJson(c.req.raw));
    const result = await deps.files.save(relative, text, baseVersion);
    if (!result.ok) {
      return c.json(
        {
          error: 'conflict',
          message: 'the notebook changed on disk since it was read; reload it before saving',
          currentVersion: result.currentVersion,
        },
        409,
      );
    }
    return c.json({ version: result.version });
  });

  return routes;
}
