/**
 * `/api/notebooks`: list (with `?q=` search; each with the caller's `access` and whether it is
 * locked, for the list's lock marker), read, save, delete. Thin handlers: decode, call
 * WorkspaceFiles, encode; the gate (gate.ts) has authorized the request before (access.ts) and
 * resolved the notebook's path (`gatedNotebook`: the handlers do not resolve it again). A
 * notebook that does not parse still opens: its text comes back with `parseError` (line, column)
 * so the editor can offer a raw mode to fix it. Bodies: protocol/api.ts (the delete's: here).
 *
 * A delete names the version it read, like a save: a file someone changed since is never deleted
 * (409 with its version). The file moves to the workspace's trash (trash.ts); the sessions that
 * have it open hear of it from the watcher, as of any file gone from disk (`externalChange`).
 */
import { Hono, type HonoRequest } from 'hono';
import { z } from 'zod';
import { parseNotebook } from '../../format/index.js';
import {
  SaveRequest,
  type NotebookList,
  type NotebookRead,
  type SaveConflict,
  type SaveResponse,
} from '../../protocol/api.js';
import { gatedNotebook, type ServerEnv, type ServerDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { parseErrorOf } from '../scan.js';
import { recordScheduleSave } from '../../jobs/schedule-owner.js';

/** The body of `PUT /api/notebooks/:path` (protocol/api.ts; exported here as before). */
export { SaveRequest };

/** The body of `DELETE /api/notebooks/:path`: the version the client read. */
export const DeleteRequest = z.object({
  baseVersion: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 version from a read'),
});

/** The answer of a delete: the notebook and the version that was deleted. */
export const DeleteResponse = z.object({ path: z.string(), version: z.string() });

/** The answer of `GET /api/notebooks/:path`. */
export type NotebookResponse = NotebookRead;

async function readJson(request: HonoRequest): Promise<unknown> {
  const type = request.header('content-type') ?? '';
  // Only JSON: an HTML form cannot send it cross-site without a CORS preflight.
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported-media-type', 'the request body must be application/json');
  }
  // Hono's request keeps the text, so the gate can read the body again for its event.
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

export function notebookRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();

  routes.get('/', async (c) => {
    const notebooks = await deps.files.list(c.req.query('q'));
    const body: NotebookList = {
      notebooks: notebooks
        .filter((n) => c.var.may('notebook:read', { kind: 'notebook', path: n.path }))
        .map((n) => ({ ...n, access: c.var.access(n.path) })),
    };
    return c.json(body);
  });

  routes.get('/:path{.+}', async (c) => {
    const notebook = gatedNotebook(c);
    const { relative } = notebook;
    const { text, version } = await deps.files.read(notebook);
    const body: NotebookRead = { path: relative, text, version };
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
    const { text, baseVersion } = decode(SaveRequest, await readJson(c.req));
    const notebook = gatedNotebook(c);
    const result = await deps.files.save(notebook, text, baseVersion);
    if (result.ok) await recordScheduleSave(deps.store, notebook.relative, text, c.var.user.id);
    if (!result.ok) {
      const conflict: SaveConflict = {
        error: 'conflict',
        message: 'the notebook changed on disk since it was read; reload it before saving',
        currentVersion: result.currentVersion,
      };
      return c.json(conflict, 409);
    }
    c.set('detail', { created: baseVersion === null, version: result.version });
    return c.json({ version: result.version } satisfies SaveResponse);
  });

  routes.delete('/:path{.+}', async (c) => {
    const { baseVersion } = decode(DeleteRequest, await readJson(c.req));
    const notebook = gatedNotebook(c);
    const result = await deps.files.remove(notebook, baseVersion);
    if (!result.ok) {
      const conflict: SaveConflict = {
        error: 'conflict',
        message: 'the notebook changed on disk since it was read; reload it before deleting',
        currentVersion: result.currentVersion,
      };
      return c.json(conflict, 409);
    }
    c.set('detail', { version: result.version });
    return c.json({ path: notebook.relative, version: result.version } satisfies z.infer<
      typeof DeleteResponse
    >);
  });

  return routes;
}
